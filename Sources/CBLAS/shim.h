// Debian's libopenblas-dev installs cblas.h (with OpenBLAS's threading controls) on the include path.
#include <cblas.h>
