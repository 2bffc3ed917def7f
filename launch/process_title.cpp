#include "launch/process_title.h"

#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

extern char** environ;

namespace shmrl::launch {

void set_process_title(const std::string& title) {
  // arg_start, arg_end, env_start, env_end are fields 48-51 of /proc/self/stat (Linux >= 3.5).
  std::ifstream stat("/proc/self/stat");
  std::string line;
  if (!std::getline(stat, line)) return;
  std::istringstream rest(line.substr(line.rfind(')') + 2));  // fields from 3 on
  std::string field;
  for (int i = 3; i < 48 && rest >> field;) ++i;
  unsigned long arg_start = 0, arg_end = 0, env_start = 0, env_end = 0;
  if (!(rest >> arg_start >> arg_end >> env_start >> env_end) || arg_end <= arg_start) return;
  // The environment strings normally follow argv's; only then is the whole span ours to reuse.
  const unsigned long end = env_start == arg_end || env_start == arg_end + 1 ? env_end : arg_end;
  for (char** e = environ; e && *e; ++e) {
    const auto p = reinterpret_cast<unsigned long>(*e);
    if (p >= arg_start && p < end) *e = strdup(*e);
  }
  char* area = reinterpret_cast<char*>(arg_start);
  const std::size_t size = end - arg_start;
  const std::size_t n = std::min(title.size(), size - 1);
  std::memcpy(area, title.data(), n);
  std::memset(area + n, 0, size - n);
}

}  // namespace shmrl::launch
