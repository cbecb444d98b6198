// Inventory CSV for the asset register (AssetService::import_csv): RFC 4180 fields (quotes,
// doubled quotes, commas and line breaks inside quotes), LF or CRLF lines, an optional UTF-8
// byte order mark, a header line naming the columns. Required: tag, kind, name; any of serial,
// os, applications, patches, owner, used_by, place, power, network, state (default
// in_service), notes. Errors give the line and the column.
#include <algorithm>
#include <set>

#include "app/asset_service.h"

namespace minato::app {

namespace {

// Splits `text` into records of fields; `lines[i]` is the line where record i starts.
Status split_csv(std::string_view text, std::vector<std::vector<std::string>>& records,
                 std::vector<int>& lines, int max_records) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  std::vector<std::string> rec;
  std::string field;
  bool quoted = false, after_quote = false, any = false;
  int line = 1, rec_line = 1;
  auto end_field = [&] {
    rec.push_back(std::move(field));
    field.clear();
    after_quote = false;
  };
  auto end_record = [&]() -> Status {
    end_field();
    bool blank = rec.size() == 1 && rec[0].empty() && !any;
    if (!blank) {
      if (static_cast<int>(records.size()) >= max_records) {
        return fail(ErrorCode::kInvalidArgument,
                    "more than " + std::to_string(max_records) + " assets in one file", "file");
      }
      records.push_back(std::move(rec));
      lines.push_back(rec_line);
    }
    rec.clear();
    any = false;
    return ok();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field.push_back('"');
          ++i;
        } else {
          quoted = false;
          after_quote = true;
        }
      } else {
        if (c == '\n') ++line;
        field.push_back(c);
      }
      continue;
    }
    if (c == ',') {
      end_field();
      any = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      MINATO_TRY(end_record());
      rec_line = ++line;
    } else if (c == '"' && field.empty() && !after_quote) {
      quoted = true;
      any = true;
    } else if (after_quote) {
      return fail(ErrorCode::kInvalidArgument,
                  "line " + std::to_string(line) + ": text after a closing quote", "file");
    } else if (static_cast<unsigned char>(c) < 0x20 && c != '\t') {
      return fail(ErrorCode::kInvalidArgument,
                  "line " + std::to_string(line) + ": a control character", "file");
    } else {
      field.push_back(c);
      any = true;
    }
  }
  if (quoted) {
    return fail(ErrorCode::kInvalidArgument,
                "line " + std::to_string(rec_line) + ": a quoted field is never closed", "file");
  }
  if (!field.empty() || !rec.empty() || any) MINATO_TRY(end_record());
  return ok();
}

}  // namespace

Result<std::vector<store::AssetRecord>> parse_asset_csv(std::string_view text, int max_rows,
                                                        std::vector<int>* line_of) {
  std::vector<std::vector<std::string>> records;
  std::vector<int> lines;
  MINATO_TRY(split_csv(text, records, lines, max_rows + 1));
  if (records.empty()) return fail(ErrorCode::kInvalidArgument, "the file is empty", "file");
  using Field = std::string store::AssetRecord::*;
  std::vector<Field> columns;
  std::set<std::string> seen;
  for (const auto& name : records[0]) {
    auto it = std::find_if(kAssetFields.begin(), kAssetFields.end(),
                           [&](const AssetField& f) { return f.name == name; });
    if (it == kAssetFields.end()) {
      return fail(ErrorCode::kInvalidArgument,
                  "line 1: unknown column \"" + name.substr(0, 40) +
                      "\" (tag, kind, name, serial, os, applications, patches, owner, used_by, "
                      "place, power, network, state, notes)",
                  "file");
    }
    if (!seen.insert(name).second) {
      return fail(ErrorCode::kInvalidArgument, "line 1: column " + name + " given twice", "file");
    }
    columns.push_back(it->member);
  }
  for (auto need : {"tag", "kind", "name"}) {
    if (!seen.contains(need)) {
      return fail(ErrorCode::kInvalidArgument,
                  std::string("line 1: the header has no column ") + need, "file");
    }
  }
  std::vector<store::AssetRecord> out;
  std::set<std::string> tags;
  for (size_t r = 1; r < records.size(); ++r) {
    const std::string where = "line " + std::to_string(lines[r]);
    if (records[r].size() != columns.size()) {
      return fail(ErrorCode::kInvalidArgument,
                  where + ": " + std::to_string(records[r].size()) + " fields; the header has " +
                      std::to_string(columns.size()),
                  "file");
    }
    store::AssetRecord a;
    a.state = "in_service";
    for (size_t c = 0; c < columns.size(); ++c) {
      if (columns[c] == &store::AssetRecord::state && records[r][c].empty()) continue;
      a.*columns[c] = records[r][c];
    }
    if (!tags.insert(a.tag).second) {
      return fail(ErrorCode::kInvalidArgument, where + ": tag " + a.tag + " appears twice", "file");
    }
    out.push_back(std::move(a));
    if (line_of != nullptr) line_of->push_back(lines[r]);
  }
  if (out.empty()) return fail(ErrorCode::kInvalidArgument, "the file lists no asset", "file");
  return out;
}

}  // namespace minato::app
