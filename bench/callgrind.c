/* Start and stop callgrind's counting from Python (bench/instructions.py loads this
   with ctypes): the count then covers the measured requests only, not starting Python
   or warming the caches. The macros are valgrind's own client requests; outside
   valgrind they do nothing. */
#include <valgrind/callgrind.h>

void start_counting(void) {
    CALLGRIND_ZERO_STATS;
    CALLGRIND_START_INSTRUMENTATION;
}

void stop_counting(void) {
    CALLGRIND_STOP_INSTRUMENTATION;
    CALLGRIND_DUMP_STATS_AT("measured");
}
