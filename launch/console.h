#pragma once
// What the launcher says: event messages (to stderr and logs/launcher.log) and the progress line
// (on a terminal: one line redrawn in place with \r; otherwise a plain line every few seconds, so
// CI logs and `| tee` stay readable). Launcher main thread only.
#include <chrono>
#include <cstdio>
#include <string>

namespace shmrl::launch {

// v with `decimals` digits after the point ("%.*f"), for messages.
std::string fixed(double v, int decimals = 1);

class Console {
 public:
  // log_path "" = no log file. tty: whether stderr is a terminal (isatty, unless a test says).
  Console(const std::string& log_path, bool tty, std::chrono::seconds plain_period = std::chrono::seconds(5));
  ~Console();
  Console(const Console&) = delete;
  Console& operator=(const Console&) = delete;

  // One event line ("actor1 (pid 123) killed by signal 9 (SIGKILL); restarting (1/3)").
  void message(const std::string& text);
  // The progress line; throttled to every plain_period when not a terminal (always logged then).
  void progress(const std::string& line);
  // Ends an in-place progress line with a newline (before the final summary).
  void finish_progress();

 private:
  void log(const std::string& text);
  std::FILE* log_ = nullptr;
  bool tty_;
  std::chrono::seconds plain_period_;
  std::chrono::steady_clock::time_point last_plain_{};
  bool line_open_ = false;
  std::string last_line_;
};

}  // namespace shmrl::launch
