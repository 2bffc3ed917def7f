#include "common/toml_reader.h"

namespace shmrl {

void bad_option(const std::string& key, const std::string& value, const std::string& allowed) {
  throw std::invalid_argument(key + " = " + value + ": must be " + allowed);
}

toml::table parse_toml_file(const std::string& path) {
  try {
    return toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    std::ostringstream os;
    os << path << ":" << e.source().begin.line << ":" << e.source().begin.column << ": "
       << e.description();
    throw std::invalid_argument(os.str());
  }
}

void TomlReader::get_int_list(const std::string& key, std::vector<int64_t>& out) const {
  auto node = table_.at_path(key);
  if (!node) return;
  const auto* arr = node.as_array();
  if (!arr) type_error(key, *node.node(), "an array of integers");
  std::vector<int64_t> v;
  for (const auto& e : *arr) {
    auto i = e.value_exact<int64_t>();
    if (!i) type_error(key, *node.node(), "an array of integers");
    v.push_back(*i);
  }
  out = std::move(v);
}

void TomlReader::type_error(const std::string& key, const toml::node& node,
                            const std::string& want) const {
  std::ostringstream os;
  node.visit([&](const auto& v) { os << v; });
  fail(key, os.str(), want);
}

void TomlReader::fail(const std::string& key, const std::string& value,
                      const std::string& allowed) const {
  throw std::invalid_argument(source_ + ": " + key + " = " + value + ": must be " + allowed);
}

}  // namespace shmrl
