#include "CAllocatorStatistics.h"
