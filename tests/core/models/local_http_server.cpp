#include "tests/core/models/local_http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <stdexcept>

namespace regionlab::test {

LocalHttpServer::LocalHttpServer(std::map<std::string, std::string> files, HttpServerBehaviour behaviour)
    : files_(std::move(files)), behaviour_(behaviour) {
  listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (listener_ < 0) throw std::runtime_error("socket() failed");
  const int yes = 1;
  ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);  // 127.0.0.1 only
  address.sin_port = 0;
  if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || ::listen(listener_, 8) != 0) {
    ::close(listener_);
    throw std::runtime_error("cannot listen on 127.0.0.1");
  }
  socklen_t length = sizeof address;
  ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
  port_ = ntohs(address.sin_port);
  thread_ = std::thread([this] { run(); });
}

LocalHttpServer::~LocalHttpServer() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  ::close(listener_);
}

std::string LocalHttpServer::url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }

std::vector<std::string> LocalHttpServer::rangeHeaders() const {
  std::lock_guard lock(mutex_);
  return ranges_;
}

void LocalHttpServer::run() {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(behaviour_.lifetime_seconds);
  int accepted = 0;
  while (!stop_ && accepted < behaviour_.max_requests && std::chrono::steady_clock::now() < deadline) {
    pollfd p{listener_, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    const int client = ::accept(listener_, nullptr, nullptr);
    if (client < 0) continue;
    ++accepted;
    serve(client);
    ::close(client);
  }
}

namespace {

void sendAll(int socket, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = ::send(socket, data, size, MSG_NOSIGNAL);
    if (n <= 0) return;
    data += n;
    size -= size_t(n);
  }
}

std::string headerValue(const std::string& request, const std::string& name) {
  std::string lower = request;
  for (char& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
  const std::string key = "\r\n" + name + ":";
  const auto at = lower.find(key);
  if (at == std::string::npos) return {};
  const auto begin = request.find_first_not_of(' ', at + key.size());
  return request.substr(begin, request.find("\r\n", begin) - begin);
}

}  // namespace

void LocalHttpServer::serve(int client) {
  timeval timeout{2, 0};
  ::setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  std::string request;
  char buffer[4096];
  while (request.find("\r\n\r\n") == std::string::npos && request.size() < 65536) {
    const ssize_t n = ::recv(client, buffer, sizeof buffer, 0);
    if (n <= 0) return;
    request.append(buffer, size_t(n));
  }
  const auto first_space = request.find(' ');
  const std::string method = request.substr(0, first_space);
  const std::string path = request.substr(first_space + 1, request.find(' ', first_space + 1) - first_space - 1);
  const std::string range = headerValue(request, "range");
  int index = 0;
  {
    std::lock_guard lock(mutex_);
    ranges_.push_back(range);
    index = served_++;
  }
  const auto file = files_.find(path);
  if (file == files_.end()) {
    const std::string response = "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found";
    sendAll(client, response.data(), response.size());
    return;
  }
  const std::string& body = file->second;
  size_t start = 0;
  std::string status = "200 OK", extra;
  if (behaviour_.support_range && range.rfind("bytes=", 0) == 0) {
    start = std::stoull(range.substr(6));
    if (start >= body.size()) {
      const std::string response = "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */" + std::to_string(body.size()) +
                                   "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      sendAll(client, response.data(), response.size());
      return;
    }
    status = "206 Partial Content";
    extra = "Content-Range: bytes " + std::to_string(start) + "-" + std::to_string(body.size() - 1) + "/" + std::to_string(body.size()) + "\r\n";
  }
  const std::string head = "HTTP/1.1 " + status + "\r\nContent-Type: application/octet-stream\r\nContent-Length: " +
                           std::to_string(body.size() - start) + "\r\n" + extra + "Connection: close\r\n\r\n";
  sendAll(client, head.data(), head.size());
  if (method == "HEAD") return;
  size_t length = body.size() - start;
  if (behaviour_.cut_after_bytes >= 0 && index < behaviour_.cut_requests) length = std::min(length, size_t(behaviour_.cut_after_bytes));
  sendAll(client, body.data() + start, length);
}

}  // namespace regionlab::test
