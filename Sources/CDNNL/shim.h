// Debian's libdnnl-dev (oneDNN 2.6, OpenMP runtime) installs its C API here.
#include <oneapi/dnnl/dnnl.h>
