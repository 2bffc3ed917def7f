#include "launch/console.h"

#include <ctime>

namespace shmrl::launch {

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

Console::Console(const std::string& log_path, bool tty, std::chrono::seconds plain_period)
    : tty_(tty), plain_period_(plain_period) {
  if (!log_path.empty()) log_ = std::fopen(log_path.c_str(), "a");
}

Console::~Console() {
  finish_progress();
  if (log_) std::fclose(log_);
}

void Console::log(const std::string& text) {
  if (!log_) return;
  char stamp[32];
  std::time_t now = std::time(nullptr);
  std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", std::localtime(&now));
  std::fprintf(log_, "%s %s\n", stamp, text.c_str());
  std::fflush(log_);
}

void Console::message(const std::string& text) {
  if (line_open_) std::fputs("\r\033[K", stderr);  // erase the progress line, print, redraw it
  std::fprintf(stderr, "%s\n", text.c_str());
  if (line_open_) std::fprintf(stderr, "%s", last_line_.c_str());
  std::fflush(stderr);
  log(text);
}

void Console::progress(const std::string& line) {
  auto now = std::chrono::steady_clock::now();
  if (tty_) {
    std::fprintf(stderr, "\r\033[K%s", line.c_str());
    std::fflush(stderr);
    line_open_ = true;
    last_line_ = line;
  }
  if (now - last_plain_ >= plain_period_) {
    last_plain_ = now;
    if (!tty_) {
      std::fprintf(stderr, "%s\n", line.c_str());
      std::fflush(stderr);
    }
    log(line);
  }
}

void Console::finish_progress() {
  if (line_open_) {
    std::fputs("\n", stderr);
    std::fflush(stderr);
    line_open_ = false;
  }
}

}  // namespace shmrl::launch
