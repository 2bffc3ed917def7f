#include "common/toml_reader.h"

#include <utility>

#include "common/config_schema.h"

namespace shmrl {

TomlReader::TomlReader(const toml::table& table, std::string source)
    : table_(table), source_(std::move(source)) {
  std::string unknown;
  for_each_config_entry(table_, [&](const std::string& key, const toml::node&) {
    if (!find_key(key)) unknown += (unknown.empty() ? "" : "\n") + source_ + ": " + unknown_key_message(key);
  });
  if (!unknown.empty()) throw std::invalid_argument(unknown);
}

namespace {
void visit_entries(const toml::table& table, const std::string& prefix,
                   const std::function<void(const std::string&, const toml::node&)>& fn) {
  for (const auto& [name, value] : table) {
    const std::string key = prefix + "." + std::string(name.str());
    if (const auto* sub = value.as_table(); sub && !find_key(key)) visit_entries(*sub, key, fn);
    else fn(key, value);
  }
}
}  // namespace

void for_each_config_entry(const toml::table& root,
                           const std::function<void(const std::string& key, const toml::node& node)>& fn) {
  for (const auto& [section, node] : root) {
    if (const auto* entries = node.as_table()) visit_entries(*entries, std::string(section.str()), fn);
    else fn(std::string(section.str()), node);
  }
}

toml::node_view<const toml::node> TomlReader::lookup(const std::string& key, toml::table& scratch) const {
  const KeySpec& spec = key_spec(key);
  if (auto node = table_.at_path(key)) return node;
  scratch = toml::parse("v = " + std::string(spec.def));
  return std::as_const(scratch)["v"];
}

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
  toml::table scratch;
  const auto node = lookup(key, scratch);
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
