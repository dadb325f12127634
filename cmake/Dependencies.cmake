# Every external dependency is a Debian 12 package (packaging/install-deps.sh installs them).
find_package(Threads REQUIRED)
# features2d: SIFT (patent expired; in the main module since 4.4) for the dense-SIFT visual words.
find_package(OpenCV 4.6 REQUIRED COMPONENTS core imgproc imgcodecs features2d ximgproc)
find_package(SQLite3 REQUIRED)
find_package(ZLIB REQUIRED)      # indexed PNGs of the Pascal VOC export; CRC-32 of checkpoint records
find_package(CURL 7.88 REQUIRED) # model downloads (core/models/model_downloader.cpp)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(Torch REQUIRED)
find_package(Qt6 6.4 REQUIRED COMPONENTS Core Gui Widgets Concurrent Test Network)

# hnswlib ships neither a CMake config nor a .pc file: find the header and wrap it.
find_path(HNSWLIB_INCLUDE_DIR hnswlib/hnswlib.h REQUIRED)
add_library(hnswlib INTERFACE)
target_include_directories(hnswlib SYSTEM INTERFACE ${HNSWLIB_INCLUDE_DIR})

# Flags for the AVX2 build of the index kernels; the code picks that build at run time only
# when the CPU has AVX2 and FMA (core/index/hnsw_backend_dispatch.cpp).
include(CheckCXXCompilerFlag)
check_cxx_compiler_flag("-mavx2 -mfma" REGIONLAB_HAVE_AVX2_FLAGS)
