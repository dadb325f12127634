#include "core/models/model_downloader.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>

#include <curl/curl.h>
#include <unistd.h>

#include "core/base/error.h"
#include "core/base/sha256.h"
#include "core/models/md5.h"

namespace regionlab {

namespace fs = std::filesystem;

namespace {

std::string humanBytes(int64_t bytes) {
  char buffer[32];
  if (bytes >= (1LL << 30)) std::snprintf(buffer, sizeof buffer, "%.2f GB", double(bytes) / double(1LL << 30));
  else if (bytes >= (1LL << 20)) std::snprintf(buffer, sizeof buffer, "%.1f MB", double(bytes) / double(1LL << 20));
  else std::snprintf(buffer, sizeof buffer, "%lld bytes", (long long)bytes);
  return buffer;
}

struct Transfer {
  const DownloadRequest* request = nullptr;
  const DownloadOptions* options = nullptr;
  CURL* curl = nullptr;
  FILE* out = nullptr;
  fs::path part;
  int64_t existing = 0;   // bytes in the .part before this transfer
  int64_t written = 0;    // bytes of the whole file on disk now
  bool started = false;   // first body byte seen (response code checked)
  bool restarted = false; // server ignored the Range: started again from byte 0
  long status = 0;
  int write_errno = 0;
  std::string refusal;    // why the write callback stopped the transfer
  bool cancelled = false;
  Sha256 sha;
  Md5 md5;
};

void hashExisting(Transfer& t) {
  std::ifstream in(t.part, std::ios::binary);
  std::vector<char> buffer(1 << 20);
  while (in) {
    in.read(buffer.data(), std::streamsize(buffer.size()));
    const auto n = size_t(in.gcount());
    t.sha.update(buffer.data(), n);
    t.md5.update(buffer.data(), n);
  }
}

// Called once per response before its first body byte.
bool beginBody(Transfer& t) {
  curl_easy_getinfo(t.curl, CURLINFO_RESPONSE_CODE, &t.status);
  if (t.status == 206 && t.existing > 0) {
    t.out = std::fopen(t.part.c_str(), "ab");
    hashExisting(t);
    t.written = t.existing;
  } else if (t.status == 200) {
    // Fresh download, or a server that ignores Range: start again from byte 0.
    t.restarted = t.existing > 0;
    t.existing = 0;
    t.out = std::fopen(t.part.c_str(), "wb");
    t.written = 0;
  } else {
    return false;  // HTTP error: its body must not land in the file
  }
  if (!t.out) {
    t.write_errno = errno;
    t.refusal = "cannot open " + t.part.string() + " for writing: " + std::strerror(errno);
    return false;
  }
  curl_off_t remaining = -1;
  curl_easy_getinfo(t.curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &remaining);
  if (remaining > 0) {
    std::error_code ec;
    const auto space = fs::space(t.part.parent_path(), ec);
    if (!ec && int64_t(space.available) < remaining + t.options->free_space_margin) {
      t.refusal = "not enough disk space in " + t.part.parent_path().string() + ": " + humanBytes(remaining) + " to download, " +
                  humanBytes(int64_t(space.available)) + " free";
      return false;
    }
  }
  return true;
}

size_t onBody(char* data, size_t size, size_t count, void* user) {
  Transfer& t = *static_cast<Transfer*>(user);
  const size_t bytes = size * count;
  if (!t.started) {
    t.started = true;
    if (!beginBody(t)) return 0;
  }
  if (std::fwrite(data, 1, bytes, t.out) != bytes) {
    t.write_errno = errno;
    t.refusal = std::string("write failed: ") + std::strerror(errno);
    return 0;
  }
  t.sha.update(data, bytes);
  t.md5.update(data, bytes);
  t.written += int64_t(bytes);
  return bytes;
}

int onProgress(void* user, curl_off_t total, curl_off_t now, curl_off_t, curl_off_t) {
  Transfer& t = *static_cast<Transfer*>(user);
  if (!t.options->progress) return 0;
  DownloadProgress p;
  p.received = t.existing + int64_t(now);
  p.total = total > 0 ? t.existing + int64_t(total) : t.request->expected_size.value_or(0);
  p.resumed = t.existing > 0;
  if (!t.options->progress(p)) {
    t.cancelled = true;
    return 1;
  }
  return 0;
}

bool closeFile(Transfer& t) {
  if (!t.out) return true;
  bool ok = std::fflush(t.out) == 0;
  if (!ok) t.write_errno = errno;
  ok = ok && ::fsync(fileno(t.out)) == 0;
  ok = (std::fclose(t.out) == 0) && ok;
  t.out = nullptr;
  return ok;
}

bool isDiskFull(int e) { return e == ENOSPC || e == EFBIG || e == EDQUOT; }

}  // namespace

DownloadResult downloadFile(const DownloadRequest& request, const DownloadOptions& options) {
  static const bool curl_ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  if (!curl_ready) throw Error(request.url, "libcurl failed to initialise");
  // A full disk under RLIMIT_FSIZE raises SIGXFSZ; as an error code it is reported instead.
  std::signal(SIGXFSZ, SIG_IGN);

  Transfer t;
  t.request = &request;
  t.options = &options;
  t.part = request.destination.string() + ".part";
  fs::create_directories(request.destination.parent_path());
  std::error_code ec;
  if (fs::is_regular_file(t.part, ec)) t.existing = int64_t(fs::file_size(t.part, ec));
  if (request.expected_size && t.existing > *request.expected_size) {
    fs::remove(t.part, ec);  // longer than the real file: not a prefix of it
    t.existing = 0;
  }
  if (request.expected_size) {
    const auto space = fs::space(request.destination.parent_path(), ec);
    const int64_t need = *request.expected_size - t.existing;
    if (!ec && int64_t(space.available) < need + options.free_space_margin) {
      throw Error(request.destination, "not enough disk space: " + humanBytes(need) + " to download, " + humanBytes(int64_t(space.available)) +
                                           " free in " + request.destination.parent_path().string() +
                                           " (free some space, or set REGIONLAB_MODEL_DIR to a larger disk)");
    }
  }

  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
  t.curl = curl.get();
  char curl_error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(t.curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(t.curl, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(t.curl, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(t.curl, CURLOPT_WRITEFUNCTION, &onBody);
  curl_easy_setopt(t.curl, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(t.curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(t.curl, CURLOPT_XFERINFOFUNCTION, &onProgress);
  curl_easy_setopt(t.curl, CURLOPT_XFERINFODATA, &t);
  curl_easy_setopt(t.curl, CURLOPT_ERRORBUFFER, curl_error);
  curl_easy_setopt(t.curl, CURLOPT_CONNECTTIMEOUT, options.connect_timeout_s);
  curl_easy_setopt(t.curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(t.curl, CURLOPT_LOW_SPEED_TIME, options.stall_timeout_s);
  curl_easy_setopt(t.curl, CURLOPT_USERAGENT, "RegionLab model manager");
  if (t.existing > 0) curl_easy_setopt(t.curl, CURLOPT_RESUME_FROM_LARGE, curl_off_t(t.existing));
  const CURLcode code = curl_easy_perform(t.curl);
  const bool closed = closeFile(t);
  if (t.status == 0) curl_easy_getinfo(t.curl, CURLINFO_RESPONSE_CODE, &t.status);

  if (code == CURLE_RANGE_ERROR && t.existing > 0 && !t.started) {
    // The server cannot resume (no Range support): start again from byte 0, once.
    fs::remove(t.part, ec);
    return downloadFile(request, options);
  }
  const std::string kept = " (" + humanBytes(t.written) + " kept in " + t.part.filename().string() + ": run the download again to resume)";
  if (t.cancelled) throw Error(request.destination, "download cancelled" + kept);
  if (!t.refusal.empty()) {
    if (isDiskFull(t.write_errno)) throw Error(request.destination, "disk full while downloading: " + t.refusal + kept);
    throw Error(request.destination, t.refusal);
  }
  if (!closed) {
    if (isDiskFull(t.write_errno)) throw Error(request.destination, std::string("disk full while writing the download: ") + std::strerror(t.write_errno) + kept);
    throw Error(request.destination, std::string("cannot write the download: ") + std::strerror(t.write_errno));
  }
  if (code == CURLE_COULDNT_RESOLVE_HOST || code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_PROXY ||
      (code == CURLE_OPERATION_TIMEDOUT && !t.started)) {
    throw Error(request.url, std::string("cannot reach the server (") + curl_easy_strerror(code) + (curl_error[0] ? std::string(": ") + curl_error : "") +
                                 "); this machine may be offline. " + request.offline_hint);
  }
  if (t.status == 416 && t.existing > 0 && request.expected_size && t.existing == *request.expected_size) {
    // The part is already complete (an earlier run was stopped between the transfer and the
    // rename): verify it as it is.
    hashExisting(t);
    t.written = t.existing;
  } else if (t.status >= 400 || (t.status != 0 && t.status != 200 && t.status != 206)) {
    if (t.status == 416) fs::remove(t.part, ec);  // the part does not fit the file on the server
    throw Error(request.url, "the server answered HTTP " + std::to_string(t.status) + (t.status == 404 ? " (not found: is the URL still right?)" : ""));
  } else if (code != CURLE_OK) {
    throw Error(request.url, std::string("download interrupted: ") + curl_easy_strerror(code) + (curl_error[0] ? std::string(" (") + curl_error + ")" : "") + kept);
  }

  DownloadResult result;
  result.file = request.destination;
  result.size = t.written;
  result.sha256 = t.sha.hexDigest();
  result.md5 = t.md5.hexDigest();
  result.resumed_from = t.existing;
  auto reject = [&](const std::string& why) {
    fs::remove(t.part, ec);
    throw Error(request.destination, why + "; the downloaded file was deleted (it is damaged or not the published file)");
  };
  if (request.expected_size && result.size != *request.expected_size) {
    reject("size mismatch: got " + std::to_string(result.size) + " bytes, the manifest says " + std::to_string(*request.expected_size));
  }
  if (!request.sha256.empty() && result.sha256 != request.sha256) reject("SHA-256 mismatch: expected " + request.sha256 + ", got " + result.sha256);
  if (!request.md5.empty() && result.md5 != request.md5) reject("MD5 mismatch: expected " + request.md5 + ", got " + result.md5);
  fs::rename(t.part, request.destination, ec);
  if (ec) throw Error(request.destination, "cannot move the verified download into place: " + ec.message());
  return result;
}

}  // namespace regionlab
