#pragma once
// Crash-consistent file replacement: write a temporary file in the same directory, fsync it, rename
// it over the target, fsync the directory. A reader sees the old file or the new one, never a part.
#include <string>
#include <string_view>

namespace shmrl::learner {

// Creates parent directories as needed. Throws std::runtime_error naming the path and errno text.
// O(bytes) plus two fsyncs. Any thread; concurrent writers to one path must be serialized by caller.
void write_file_atomic(const std::string& path, std::string_view bytes);

// Whole file contents. Throws std::runtime_error naming the path if it cannot be read.
std::string read_file(const std::string& path);

}  // namespace shmrl::learner
