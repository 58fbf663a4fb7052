// Only the declaration in include/CFuzzerDriver.h matters; SwiftPM wants one source file.
#include "CFuzzerDriver.h"
