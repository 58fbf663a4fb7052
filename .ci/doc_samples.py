#!/usr/bin/env python3
"""Turns every ```swift block of README.md, Docs/**/*.md and the DocC catalogs (Sources/*/*.docc)
into Swift that the test build compiles.

Docs are code: a sample that no longer compiles fails `swift build --build-tests` (the
`DocSamples` test target), and `.ci/run` fails on a warning in it.

    python3 .ci/doc_samples.py           # writes Tests/DocSamples/Generated/*.swift
    python3 .ci/doc_samples.py --check   # fails if those files differ from what the docs hold

Each block becomes the body of a function of its own (`func gettingStarted3() async throws`),
so its local names never meet another block's; `import` lines move to the top of the file. A
block that declares what only a file may hold (`extension`, `protocol`, `@main`) is copied to
file scope instead, without `@main` (the test target has its own entry point).

What a sample uses without declaring it (a `tracer`, the user's own `index.search`) is
declared in Tests/DocSamples/Context/, one file per document. A comment on the line before a
block says what to do with it:

    <!-- sample: skip, <why> -->   not compiled (a Package.swift fragment, a quoted declaration)
    <!-- sample: file -->          copied to file scope even without a declaration that needs it
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "Tests" / "DocSamples" / "Generated"
FENCE = re.compile(r"^(\s*)```(\S*)\s*$")
MARKER = re.compile(r"^\s*<!--\s*sample:\s*(skip|file)\b.*-->\s*$")
MODULES = ["Foundation", "Hummingbird", "Logging", "ServiceLifecycle", "Testing", "Tracez", "TracezBootstrap", "TracezLangfuse", "TracezOTLP", "TracezOTLPGRPC", "TracezPage"]
FILE_SCOPE = re.compile(r"^(extension|protocol|public protocol|@main)\b", re.MULTILINE)


def documents():
    yield ROOT / "README.md"
    yield from sorted((ROOT / "Docs").rglob("*.md"))
    yield from sorted((ROOT / "Sources").glob("*/*.docc/**/*.md"))


def name_parts(path):
    """The parts of a document's path that name its samples: without `Docs/`, and a DocC
    catalog's article as `DocC` and its path in the catalog (`Sources/Tracez/Tracez.docc/Tracez.md`
    -> `DocC`, `Tracez`)."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    if parts[0] == "Docs":
        return parts[1:]
    if parts[0] == "Sources":
        return ("DocC",) + parts[3:]
    return parts


def blocks(path):
    """(line number, marker, code) for each ```swift block, its fence's indentation removed."""
    lines = path.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        fence = FENCE.match(lines[index])
        if not fence or fence.group(2) != "swift":
            index += 1
            continue
        indent, start = fence.group(1), index + 1
        previous = MARKER.match(lines[index - 1]) if index > 0 else None
        body = []
        index += 1
        while index < len(lines) and not re.match(r"^\s*```\s*$", lines[index]):
            line = lines[index]
            body.append(line[len(indent):] if line.startswith(indent) else line.lstrip())
            index += 1
        if index == len(lines):
            sys.exit(f"{path.relative_to(ROOT)}:{start}: a ```swift block that never ends")
        index += 1
        yield start, previous.group(1) if previous else None, "\n".join(body)


def identifier(path):
    """`Docs/GettingStarted.md` -> `gettingStarted`; `README.md` -> `readme`; `Docs/OTLP.md` -> `otlp`."""
    parts = name_parts(path)
    words = [word for part in parts for word in re.split(r"[^A-Za-z0-9]+", part) if word]
    name = "".join(word[:1].upper() + word[1:] for word in words)
    first = words[0]
    return (first.lower() if first.isupper() else first[:1].lower() + first[1:]) + name[len(first):]


def file_name(path):
    """`Docs/GettingStarted.md` -> `GettingStarted.swift`; `Docs/Proposals/TZ-0001-x.md` -> `Proposals-TZ-0001-x.swift`."""
    parts = name_parts(path)
    return "-".join(parts) + ".swift"


def generate(path):
    """The Swift file for one document, or None when it has no block to compile."""
    name = identifier(path)
    imports, parts, count = set(), [], 0
    for line, marker, code in blocks(path):
        count += 1
        if marker == "skip":
            continue
        kept = []
        for text in code.splitlines():
            if re.match(r"^import \w+$", text):
                imports.add(text)
            else:
                kept.append(text)
        code = "\n".join(kept).strip("\n")
        origin = f"// {path.relative_to(ROOT)}, line {line}"
        if marker == "file" or FILE_SCOPE.search(code):
            code = re.sub(r"^@main\s*", "", code, flags=re.MULTILINE)
            parts.append(f"{origin}\n{code}")
        else:
            # What a sample declares at its top level and never uses is there for the reader's next
            # step: used once at the end, so the compiler does not warn about a script-like sample.
            # Counted outside string literals and comments, and not as a member (`name: "main"` and
            # `filter: .errors` use neither `main` nor `errors`).
            bare = re.sub(r'"[^"\n]*"|//[^\n]*', "", code)
            names = [
                name for name in re.findall(r"^(?:let|var) (\w+)\b", code, flags=re.MULTILINE)
                if len(re.findall(rf"(?<![.\w]){name}\b", bare)) == 1
            ]
            code += "".join(f"\n_ = {name}" for name in names)
            body = "\n".join(("    " + text) if text else "" for text in code.splitlines())
            parts.append(f"{origin}\nfunc {name}{count}() async throws {{\n{body}\n}}")
    if not parts:
        return None
    # A sample is a fragment of the reader's file: every module the docs use is imported, and
    # the imports a sample shows are checked to exist.
    imports |= {f"import {module}" for module in MODULES}
    header = (
        f"// Generated by .ci/doc_samples.py from {path.relative_to(ROOT)}: edit the document, not this file.\n"
        "// swift-format-ignore-file\n"
    )
    return header + "\n".join(sorted(imports)) + "\n\n" + "\n\n".join(parts) + "\n"


def main():
    check = sys.argv[1:] == ["--check"]
    wanted = {}
    for path in documents():
        text = generate(path)
        if text is not None:
            wanted[file_name(path)] = text
    present = {file.name: file.read_text(encoding="utf-8") for file in OUTPUT.glob("*.swift")} if OUTPUT.exists() else {}
    if check:
        stale = sorted(name for name in wanted.keys() | present.keys() if wanted.get(name) != present.get(name))
        if stale:
            sys.exit(f"Tests/DocSamples/Generated is out of date ({', '.join(stale)}): run python3 .ci/doc_samples.py")
        print(f"{len(wanted)} documents' samples are in Tests/DocSamples/Generated")
        return
    OUTPUT.mkdir(parents=True, exist_ok=True)
    for name in present.keys() - wanted.keys():
        (OUTPUT / name).unlink()
    for name, text in wanted.items():
        (OUTPUT / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(wanted)} files to {OUTPUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
