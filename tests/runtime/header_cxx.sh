#!/bin/sh
# Compile runtime/sysfence.h as strict C++ (the project itself is C only).
# usage: header_cxx.sh RUNTIME_DIR TEST_SOURCE
CXX=${CXX:-c++}
if ! command -v "$CXX" >/dev/null 2>&1; then
    echo "no C++ compiler ($CXX); skipping"
    exit 77
fi
exec "$CXX" -std=c++11 -Wall -Wextra -pedantic -Werror -fsyntax-only \
    -I "$1" -x c++ "$2"
