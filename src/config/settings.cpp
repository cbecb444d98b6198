// The settings of minato.toml as text (configuration control): which line gives which
// setting, a setting changed in place, and the difference of two configurations.
#include <cctype>

#include "config/config.h"

namespace minato::config {

namespace {

// One line of minato.toml, read only as far as configuration control needs: the section it
// opens, or the setting it gives.
struct Line {
  std::string section;  // for a "[section]" line
  std::string key;      // for a "key = value" line
};

Line read_line(std::string_view line) {
  size_t f = line.find_first_not_of(" \t");
  if (f == std::string_view::npos) return {};
  line = line.substr(f);
  if (line[0] == '#') return {};
  if (line[0] == '[') {
    size_t close = line.find(']');
    if (close == std::string_view::npos) return {};
    return {std::string(line.substr(1, close - 1)), ""};
  }
  size_t k = 0;
  while (k < line.size() && (std::isalnum(static_cast<unsigned char>(line[k])) != 0 ||
                             line[k] == '_' || line[k] == '-')) {
    ++k;
  }
  return {"", std::string(line.substr(0, k))};
}

// The lines of `text` (without their ends), and whether it ended with a newline.
std::vector<std::string_view> split_lines(const std::string& text) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    out.emplace_back(text.data() + pos, end - pos);
    pos = end + 1;
  }
  return out;
}

}  // namespace

std::vector<SettingChange> diff(const Config& a, const Config& b) {
  std::vector<SettingChange> out;
  for (const auto& s : settings()) {
    std::string from = setting_value(a, s.name), to = setting_value(b, s.name);
    if (from != to) out.push_back({s.name, std::move(from), std::move(to), s.security});
  }
  return out;
}

std::map<std::string, int> setting_lines(const std::string& text) {
  std::map<std::string, int> out;
  std::string section;
  int n = 0;
  for (std::string_view line : split_lines(text)) {
    ++n;
    Line l = read_line(line);
    if (!l.section.empty()) {
      section = l.section;
    } else if (!l.key.empty() && !section.empty()) {
      out.emplace(section + "." + l.key, n);
    }
  }
  return out;
}

Result<std::string> with_setting(const std::string& text, std::string_view name,
                                 const std::string& value) {
  const SettingInfo* info = find_setting(name);
  if (info == nullptr) {
    return fail(ErrorCode::kInvalidArgument, "unknown setting '" + std::string(name) + "'",
                "setting");
  }
  if (info->is_int) {
    bool digits = !value.empty() && value.size() <= 12;
    for (size_t i = 0; digits && i < value.size(); ++i) {
      digits =
          std::isdigit(static_cast<unsigned char>(value[i])) != 0 || (i == 0 && value[i] == '-');
    }
    if (!digits || value == "-") {
      return fail(ErrorCode::kInvalidArgument, info->name + " must be an integer", "value");
    }
  } else if (value.size() > 4096) {
    return fail(ErrorCode::kInvalidArgument, info->name + " must be at most 4096 bytes", "value");
  }
  size_t dot = name.find('.');
  std::string table(name.substr(0, dot)), key(name.substr(dot + 1));
  std::string given = key + " = " + (info->is_int ? value : toml_quoted(value));

  std::vector<std::string_view> lines = split_lines(text);
  std::string section;
  int replace = -1, section_end = -1;
  for (size_t i = 0; i < lines.size(); ++i) {
    Line l = read_line(lines[i]);
    if (!l.section.empty()) {
      section = l.section;
    } else if (section == table && l.key == key) {
      replace = static_cast<int>(i);
    }
    // The last line that is not blank or a comment within the section: a new setting goes
    // after it, before the comments that introduce the next section.
    if (section == table && (!l.section.empty() || !l.key.empty())) {
      section_end = static_cast<int>(i);
    }
  }
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (static_cast<int>(i) == replace) {
      out += given;
    } else {
      out += lines[i];
    }
    out += '\n';
    if (replace < 0 && static_cast<int>(i) == section_end) out += given + "\n";
  }
  if (replace < 0 && section_end < 0) {
    if (!out.empty()) out += "\n";
    out += "[" + table + "]\n" + given + "\n";
  }
  auto parsed = parse(out, "minato.toml with " + info->name + " changed");
  if (!parsed) return fail(parsed.error());
  return out;
}

}  // namespace minato::config
