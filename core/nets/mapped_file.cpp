#include "core/nets/mapped_file.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/error.h"

namespace regionlab::nets {

std::shared_ptr<const MappedFile> MappedFile::open(const std::filesystem::path& file) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(file, std::string("cannot open: ") + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int e = errno;
    ::close(fd);
    throw Error(file, std::string("cannot stat: ") + std::strerror(e));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    throw Error(file, "not a regular file");
  }
  const size_t size = size_t(st.st_size);
  void* data = nullptr;
  if (size > 0) {
    // MAP_PRIVATE + PROT_WRITE: copy-on-write, see the header.
    data = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (data == MAP_FAILED) {
      const int e = errno;
      ::close(fd);
      throw Error(file, std::string("cannot map into memory: ") + std::strerror(e));
    }
  }
  ::close(fd);  // the mapping keeps the file's pages reachable
  return std::shared_ptr<const MappedFile>(new MappedFile(file, static_cast<std::byte*>(data), size));
}

MappedFile::~MappedFile() {
  if (data_) ::munmap(data_, size_);
}

}  // namespace regionlab::nets
