#pragma once
// Downloads a checkpoint: progress, resume of an interrupted transfer (HTTP Range on the
// "<file>.part" left behind), size and checksum verification, and an atomic rename into place,
// so the model directory never holds a half-written or unverified file under its real name.
//
// Why libcurl, in core: the downloads are https (dl.fbaipublicfiles.com, github.com), so a small
// socket client would not do, and core must stay free of Qt (QtNetwork would pull an event loop
// into the CLI). libcurl (Debian libcurl4, built with OpenSSL) gives TLS, proxies ($https_proxy),
// redirects (GitHub release assets), ranges and progress in a blocking call that fits both the
// CLI and a GUI worker thread. Build dependency: libcurl4-openssl-dev.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace regionlab {

struct DownloadRequest {
  std::string url;
  std::filesystem::path destination;   // final path; "<destination>.part" while downloading
  std::optional<int64_t> expected_size;
  std::string sha256;                  // expected, lower-case hex; empty: not checked
  std::string md5;                     // expected (SAM publishes MD5); empty: not checked
  // What to tell the user to do instead when the server cannot be reached.
  std::string offline_hint;
};

struct DownloadProgress {
  int64_t received = 0;  // bytes of the file on disk so far, including a resumed part
  int64_t total = 0;     // 0 while unknown
  bool resumed = false;
};

struct DownloadOptions {
  // Seconds to wait for a connection, and seconds with less than 1 byte/s before giving up.
  long connect_timeout_s = 20;
  long stall_timeout_s = 60;
  // Kept free on the disk beyond the file itself.
  int64_t free_space_margin = 64LL << 20;
  // Called a few times per second; return false to cancel (the .part stays for a resume).
  std::function<bool(const DownloadProgress&)> progress;
};

struct DownloadResult {
  std::filesystem::path file;
  int64_t size = 0;
  std::string sha256;
  std::string md5;
  int64_t resumed_from = 0;  // bytes that were already there
};

// Throws Error(destination or url, reason): unreachable server (with offline_hint), HTTP errors,
// interruption (the .part is kept: run again to resume), disk full (.part kept), cancelled,
// size or checksum mismatch (the .part is deleted: it is wrong, not incomplete).
DownloadResult downloadFile(const DownloadRequest& request, const DownloadOptions& options = {});

}  // namespace regionlab
