#pragma once
// A minimal HTTP/1.1 file server for the download tests: binds 127.0.0.1 only (port chosen by
// the system), serves files from memory with Range support, can cut a response short to simulate
// an interrupted download, and records the requests it saw. Bounded: at most max_requests
// connections and a fixed lifetime, after which it stops by itself; the destructor stops it too.
#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace regionlab::test {

struct HttpServerBehaviour {
  bool support_range = true;
  // The first cut_requests responses send only this many body bytes, then close (-1: never).
  long long cut_after_bytes = -1;
  int cut_requests = 1;
  int max_requests = 20;
  int lifetime_seconds = 60;
};

class LocalHttpServer {
public:
  LocalHttpServer(std::map<std::string, std::string> files, HttpServerBehaviour behaviour = {});
  ~LocalHttpServer();
  LocalHttpServer(const LocalHttpServer&) = delete;
  LocalHttpServer& operator=(const LocalHttpServer&) = delete;

  std::string url(const std::string& path) const;
  // The Range header of each request ("" when none), in order.
  std::vector<std::string> rangeHeaders() const;

private:
  void run();
  void serve(int client);
  std::map<std::string, std::string> files_;
  HttpServerBehaviour behaviour_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable std::mutex mutex_;
  std::vector<std::string> ranges_;
  int served_ = 0;
};

}  // namespace regionlab::test
