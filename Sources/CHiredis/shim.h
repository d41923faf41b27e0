#include <hiredis/hiredis.h>

// `errstr` is a fixed char array, which Swift imports as a 128-element tuple; this hands it
// over as the C string it is.
static inline const char *chiredis_errstr(const redisContext *c) { return c->errstr; }
