// Debian's libfftw3-dev installs fftw3.h; the single-precision (fftwf_*) API lives in libfftw3f.
#include <fftw3.h>
