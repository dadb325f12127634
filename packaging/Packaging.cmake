# Installation layout (FHS under CMAKE_INSTALL_PREFIX, /usr in the .deb) and the Debian package.
#
#   bin/regionlab, bin/regionlab-cli
#   share/applications/regionlab.desktop
#   share/icons/hicolor/scalable/apps/regionlab.svg
#   share/regionlab/manifest/models.json      (the model manifest; also compiled into the binaries)
#   share/doc/regionlab/                      (README, licence notes of the checkpoints)
#
# Package:  cmake --build build --target package   (or: cd build && cpack -G DEB)
#           → build/regionlab_<version>_<arch>.deb, installable with apt install ./regionlab_*.deb.
# Check:    packaging/check-deb.sh build   (also the ctest "package_deb", labelled slow: excluded
#           from the default test run, run with ctest -L slow).
include(GNUInstallDirs)

if(TARGET regionlab)
  install(TARGETS regionlab RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
install(FILES ${PROJECT_SOURCE_DIR}/resources/regionlab.desktop DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
install(FILES ${PROJECT_SOURCE_DIR}/resources/icons/regionlab.svg DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
install(FILES ${PROJECT_SOURCE_DIR}/models/manifest.json DESTINATION ${CMAKE_INSTALL_DATADIR}/regionlab/manifest RENAME models.json)
if(EXISTS ${PROJECT_SOURCE_DIR}/README.md)
  install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
endif()

set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "regionlab")
set(CPACK_PACKAGE_VENDOR "RegionLab")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Interactive labeling and search of image collections on region-based representations")
set(CPACK_PACKAGE_CONTACT "RegionLab developers <regionlab@localhost>")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # regionlab_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION "graphics")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://github.com/regionlab/regionlab")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
  "Interactive labeling and search of image collections\nCuts every image into regions, embeds each region as one vector (embedded\nclassical descriptor, or DINOv2 / SAM / MobileSAM / ImAge checkpoints fetched by\nthe model manager), finds images holding similar objects, learns classes from\nuser feedback and exports labels (COCO, Pascal VOC, YOLO-seg, labelme).")
# Library dependencies are computed from the binaries by dpkg-shlibdeps (Qt, OpenCV, libtorch,
# SQLite, libcurl, zlib), so they follow whatever the build linked. Added by hand, because no
# binary links them by name:
#  - libopenblas0-openmp: libtorch goes through the libblas.so.3 alternative; without OpenBLAS it
#    falls back to the reference BLAS, 32x slower (BUILD_NOTES.md);
#  - qt6-qpa-plugins: the platform plugins (xcb, offscreen) that QtGui loads at run time.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS OFF)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libopenblas0-openmp, qt6-qpa-plugins")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "xdg-utils")
set(CPACK_STRIP_FILES ON)
include(CPack)

if(REGIONLAB_BUILD_TESTS)
  add_test(NAME package_deb COMMAND bash ${PROJECT_SOURCE_DIR}/packaging/check-deb.sh ${CMAKE_BINARY_DIR})
  set_tests_properties(package_deb PROPERTIES LABELS "slow;packaging" TIMEOUT 900)
endif()
