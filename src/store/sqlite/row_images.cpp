// Debian's SQLite is built with the pre-update hook; its declarations are behind this macro.
#define SQLITE_ENABLE_PREUPDATE_HOOK 1
#include "store/sqlite/row_images.h"

#include <sqlite3.h>

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <set>

#include "crypto/random.h"

namespace minato::store {

namespace json = boost::json;

namespace {

// Not captured: the audit log itself (roll-forward appends its events verbatim), the mail
// outbox (bodies carry enrolment links; a restore does not re-send mail), retry answers, and
// the advisory feeds' reference data (tens of thousands of rows per feed; the feed file is kept
// by the media intake and its import is recorded, so a restore takes the feed in again).
const std::set<std::string, std::less<>> kNotCaptured = {
    "audit_events",  "audit_events_v2",  "audit_checkpoints", "schema_migrations",
    "notifications", "idempotency_keys", "advisories",        "kev"};

// Columns that hold secrets or their digests: never written into the audit log.
const std::set<std::pair<std::string_view, std::string_view>> kSecret = {
    {"users", "password_hash"},   {"users", "totp_sealed"},  {"password_history", "hash"},
    {"units", "pin_hash"},        {"recovery_codes", "mac"}, {"enrolments", "token_hash"},
    {"api_tokens", "secret_hash"}};

bool valid_utf8(const unsigned char* s, size_t n) {
  size_t i = 0;
  while (i < n) {
    unsigned char c = s[i];
    size_t len = c < 0x80           ? 1
                 : (c >> 5) == 0x6  ? 2
                 : (c >> 4) == 0xE  ? 3
                 : (c >> 3) == 0x1E ? 4
                                    : 0;
    if (len == 0 || i + len > n) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return false;
    }
    i += len;
  }
  return true;
}

void append_string(std::string& out, std::string_view s) {
  out += '"';
  size_t run = 0;  // start of the stretch that needs no escape
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c != '"' && c != '\\' && c >= 0x20) continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    }
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

void append_value(std::string& out, sqlite3_value* v) {
  switch (sqlite3_value_type(v)) {
    case SQLITE_INTEGER:
      out += std::to_string(sqlite3_value_int64(v));
      return;
    case SQLITE_FLOAT: {
      double d = sqlite3_value_double(v);
      if (!std::isfinite(d)) {
        out += "null";
        return;
      }
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.17g", d);
      out += buf;
      if (std::strpbrk(buf, ".eE") == nullptr) out += ".0";
      return;
    }
    case SQLITE_TEXT: {
      auto* p = sqlite3_value_text(v);
      size_t n = static_cast<size_t>(sqlite3_value_bytes(v));
      if (valid_utf8(p, n)) {
        append_string(out, {reinterpret_cast<const char*>(p), n});
      } else {
        out += "{\"tx\":\"" + crypto::to_hex({reinterpret_cast<const char*>(p), n}) + "\"}";
      }
      return;
    }
    case SQLITE_BLOB: {
      auto* p = static_cast<const char*>(sqlite3_value_blob(v));
      size_t n = static_cast<size_t>(sqlite3_value_bytes(v));
      out += "{\"x\":\"" + crypto::to_hex({p == nullptr ? "" : p, n}) + "\"}";
      return;
    }
    default:
      out += "null";
  }
}

bool same_value(sqlite3_value* a, sqlite3_value* b) {
  int ta = sqlite3_value_type(a);
  if (ta != sqlite3_value_type(b)) return false;
  switch (ta) {
    case SQLITE_INTEGER:
      return sqlite3_value_int64(a) == sqlite3_value_int64(b);
    case SQLITE_FLOAT:
      return sqlite3_value_double(a) == sqlite3_value_double(b);
    case SQLITE_NULL:
      return true;
    default: {
      int n = sqlite3_value_bytes(a);
      if (n != sqlite3_value_bytes(b)) return false;
      const void* pa = ta == SQLITE_TEXT ? static_cast<const void*>(sqlite3_value_text(a))
                                         : sqlite3_value_blob(a);
      const void* pb = ta == SQLITE_TEXT ? static_cast<const void*>(sqlite3_value_text(b))
                                         : sqlite3_value_blob(b);
      return n == 0 || std::memcmp(pa, pb, static_cast<size_t>(n)) == 0;
    }
  }
}

bool empty_value(sqlite3_value* v) {
  switch (sqlite3_value_type(v)) {
    case SQLITE_NULL:
      return true;
    case SQLITE_INTEGER:
      return sqlite3_value_int64(v) == 0;
    case SQLITE_TEXT:
    case SQLITE_BLOB:
      return sqlite3_value_bytes(v) == 0;
    default:
      return false;
  }
}

// Whether an inserted value is the column's default (so the image may leave it out).
bool is_default(const RowCapture::Column& c, sqlite3_value* v) {
  using D = RowCapture::Column::Default;
  switch (c.default_kind) {
    case D::kNull:
      return sqlite3_value_type(v) == SQLITE_NULL;
    case D::kInteger:
      return sqlite3_value_type(v) == SQLITE_INTEGER && sqlite3_value_int64(v) == c.default_int;
    case D::kText:
      return sqlite3_value_type(v) == SQLITE_TEXT &&
             static_cast<size_t>(sqlite3_value_bytes(v)) == c.default_text.size() &&
             std::memcmp(sqlite3_value_text(v), c.default_text.data(), c.default_text.size()) == 0;
    default:
      return false;
  }
}

// The default of PRAGMA table_info when it is a literal: NULL (none declared), an integer,
// or a quoted string.
void parse_default(RowCapture::Column& c, const unsigned char* text, bool not_null) {
  using D = RowCapture::Column::Default;
  if (text == nullptr) {
    if (!not_null) c.default_kind = D::kNull;
    return;
  }
  std::string_view d(reinterpret_cast<const char*>(text));
  if (d.size() >= 2 && d.front() == '\'' && d.back() == '\'') {
    std::string out;
    for (size_t i = 1; i + 1 < d.size(); ++i) {
      if (d[i] == '\'') {
        if (d[i + 1] != '\'') return;  // not a simple literal
        ++i;
      }
      out += d[i];
    }
    c.default_kind = D::kText;
    c.default_text = std::move(out);
    return;
  }
  int64_t n = 0;
  auto [p, ec] = std::from_chars(d.data(), d.data() + d.size(), n);
  if (ec == std::errc() && p == d.data() + d.size()) {
    c.default_kind = D::kInteger;
    c.default_int = n;
  }
}

std::string quoted(std::string_view name) {
  std::string q = "\"";
  for (char c : name) {
    if (c == '"') q += '"';
    q += c;
  }
  return q + "\"";
}

class Stmt {
 public:
  ~Stmt() { sqlite3_finalize(s_); }
  sqlite3_stmt* s_ = nullptr;
};

Status bind_value(sqlite3_stmt* s, int i, const json::value& v, const std::string& where) {
  int rc = SQLITE_OK;
  if (v.is_null()) {
    rc = sqlite3_bind_null(s, i);
  } else if (v.is_int64()) {
    rc = sqlite3_bind_int64(s, i, v.get_int64());
  } else if (v.is_uint64()) {
    if (v.get_uint64() > static_cast<uint64_t>(INT64_MAX)) {
      return fail(ErrorCode::kDataLoss, where + ": an integer out of range");
    }
    rc = sqlite3_bind_int64(s, i, static_cast<int64_t>(v.get_uint64()));
  } else if (v.is_double()) {
    rc = sqlite3_bind_double(s, i, v.get_double());
  } else if (v.is_string()) {
    const auto& str = v.get_string();
    rc = sqlite3_bind_text(s, i, str.data(), static_cast<int>(str.size()), SQLITE_TRANSIENT);
  } else if (v.is_object() && v.get_object().size() == 1 &&
             (v.get_object().contains("x") || v.get_object().contains("tx"))) {
    bool blob = v.get_object().contains("x");
    const auto& hex = v.get_object().begin()->value();
    if (!hex.is_string()) return fail(ErrorCode::kDataLoss, where + ": a hex value is not text");
    auto bytes = crypto::from_hex(hex.get_string());
    if (!bytes) return fail(ErrorCode::kDataLoss, where + ": " + bytes.error().message());
    rc = blob ? sqlite3_bind_blob(s, i, bytes->data(), static_cast<int>(bytes->size()),
                                  SQLITE_TRANSIENT)
              : sqlite3_bind_text(s, i, bytes->data(), static_cast<int>(bytes->size()),
                                  SQLITE_TRANSIENT);
  } else {
    return fail(ErrorCode::kDataLoss, where + ": a value of an unknown form");
  }
  if (rc != SQLITE_OK) return fail(ErrorCode::kInternal, where + ": cannot bind a value");
  return ok();
}

}  // namespace

Status RowCapture::load_schema(sqlite3* db) {
  tables_.clear();
  std::vector<std::string> names;
  {
    Stmt st;
    if (sqlite3_prepare_v2(db,
                           "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE "
                           "'sqlite_%' AND sql NOT LIKE '%WITHOUT ROWID%'",
                           -1, &st.s_, nullptr) != SQLITE_OK) {
      return fail(ErrorCode::kInternal, std::string("read the schema: ") + sqlite3_errmsg(db));
    }
    while (sqlite3_step(st.s_) == SQLITE_ROW) {
      names.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st.s_, 0)));
    }
  }
  for (const auto& name : names) {
    if (kNotCaptured.count(name) != 0) continue;
    Table t;
    Stmt st;
    std::string sql = "PRAGMA table_info(" + quoted(name) + ")";
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st.s_, nullptr) != SQLITE_OK) {
      return fail(ErrorCode::kInternal, "read the columns of " + name + ": " + sqlite3_errmsg(db));
    }
    std::vector<std::pair<int, int>> pk;  // (position in key, column)
    while (sqlite3_step(st.s_) == SQLITE_ROW) {
      Column col;
      col.name = reinterpret_cast<const char*>(sqlite3_column_text(st.s_, 1));
      const bool not_null = sqlite3_column_int(st.s_, 3) != 0;
      int in_pk = sqlite3_column_int(st.s_, 5);
      if (in_pk > 0) pk.emplace_back(in_pk, static_cast<int>(t.columns.size()));
      col.secret = kSecret.count({name, col.name}) != 0;
      // Key columns are always written: an INTEGER PRIMARY KEY has no default to fall back on.
      if (in_pk == 0) parse_default(col, sqlite3_column_text(st.s_, 4), not_null);
      t.columns.push_back(std::move(col));
    }
    std::sort(pk.begin(), pk.end());
    for (auto [pos, col] : pk) t.key.push_back(col);
    if (t.key.empty()) continue;  // no primary key: rows could not be named on replay
    tables_.emplace(name, std::move(t));
  }
  return ok();
}

bool RowCapture::Table::has(std::string_view name) const {
  return std::any_of(columns.begin(), columns.end(),
                     [&](const Column& c) { return c.name == name; });
}

void RowCapture::install(sqlite3* db) { sqlite3_preupdate_hook(db, &RowCapture::hook, this); }

void RowCapture::hook(void* self, sqlite3* db, int op, const char* schema, const char* table,
                      long long, long long) {
  auto* c = static_cast<RowCapture*>(self);
  if (!c->active_ || std::strcmp(schema, "main") != 0) return;
  auto it = c->tables_.find(std::string_view(table));
  if (it == c->tables_.end()) return;
  c->capture(db, op, it->second, it->first);
}

void RowCapture::capture(sqlite3* db, int op, const Table& t, std::string_view name) {
  const int n = std::min(sqlite3_preupdate_count(db), static_cast<int>(t.columns.size()));
  const size_t begin = out_.size();
  if (begin != 0) out_ += ',';
  out_ += "{\"t\":";
  append_string(out_, name);
  out_ += op == SQLITE_INSERT   ? ",\"op\":\"insert\""
          : op == SQLITE_UPDATE ? ",\"op\":\"update\""
                                : ",\"op\":\"delete\"";
  if (op != SQLITE_INSERT) {
    out_ += ",\"key\":{";
    bool first = true;
    for (int k : t.key) {
      sqlite3_value* v = nullptr;
      if (sqlite3_preupdate_old(db, k, &v) != SQLITE_OK) continue;
      if (!first) out_ += ',';
      first = false;
      append_string(out_, t.columns[static_cast<size_t>(k)].name);
      out_ += ':';
      append_value(out_, v);
    }
    out_ += '}';
  }
  std::string secrets;
  if (op != SQLITE_DELETE) {
    out_ += ",\"set\":{";
    const size_t set_begin = out_.size();
    for (int i = 0; i < n; ++i) {
      const Column& c = t.columns[static_cast<size_t>(i)];
      sqlite3_value* nv = nullptr;
      if (sqlite3_preupdate_new(db, i, &nv) != SQLITE_OK) continue;
      if (op == SQLITE_UPDATE) {
        sqlite3_value* ov = nullptr;
        if (sqlite3_preupdate_old(db, i, &ov) == SQLITE_OK && same_value(ov, nv)) continue;
      } else if (is_default(c, nv)) {
        continue;
      }
      if (c.secret && !empty_value(nv)) {
        if (!secrets.empty()) secrets += ',';
        append_string(secrets, c.name);
        continue;
      }
      if (out_.size() != set_begin) out_ += ',';
      append_string(out_, c.name);
      out_ += ':';
      append_value(out_, nv);
    }
    if (op == SQLITE_UPDATE && out_.size() == set_begin && secrets.empty()) {
      out_.resize(begin);  // it wrote what was there
      return;
    }
    out_ += '}';
  }
  if (!secrets.empty()) out_ += ",\"secret\":[" + secrets + "]";
  out_ += '}';
}

RowCapture::~RowCapture() {
  for (auto& [sql, st] : statements_) sqlite3_finalize(st);
}

Result<int64_t> RowCapture::apply(sqlite3* db, std::string_view text) const {
  json::error_code ec;
  json::value doc = json::parse(text, ec);
  if (ec) return fail(ErrorCode::kDataLoss, "the row images are not JSON");
  const json::array* images = nullptr;
  if (doc.is_array()) {
    images = &doc.get_array();
  } else if (doc.is_object()) {
    const auto* redo = doc.get_object().if_contains("redo");
    if (redo == nullptr) return 0;
    if (!redo->is_array()) return fail(ErrorCode::kDataLoss, "\"redo\" is not an array");
    images = &redo->get_array();
  } else {
    return fail(ErrorCode::kDataLoss, "the row images are not a JSON array");
  }
  int index = 0;
  for (const auto& item : *images) {
    ++index;
    std::string where = "row image " + std::to_string(index);
    if (!item.is_object()) return fail(ErrorCode::kDataLoss, where + " is not an object");
    const auto& o = item.get_object();
    const auto* tv = o.if_contains("t");
    const auto* opv = o.if_contains("op");
    if (tv == nullptr || !tv->is_string() || opv == nullptr || !opv->is_string()) {
      return fail(ErrorCode::kDataLoss, where + " names no table or operation");
    }
    std::string table(tv->get_string());
    std::string op(opv->get_string());
    where += " (" + op + " " + table + ")";
    auto it = tables_.find(table);
    if (it == tables_.end()) {
      return fail(ErrorCode::kFailedPrecondition, where + ": table " + table + " is not replayed");
    }
    const Table& t = it->second;
    if (const auto* s = o.if_contains("secret"); s != nullptr) {
      std::string cols;
      if (s->is_array()) {
        for (const auto& c : s->get_array()) {
          if (!cols.empty()) cols += ", ";
          cols += c.is_string() ? std::string(c.get_string()) : "?";
        }
      }
      return fail(
          ErrorCode::kFailedPrecondition,
          where + ": it sets a secret the audit log does not hold (" + table + "." + cols + ")");
    }
    auto column = [&](std::string_view c) -> bool { return t.has(c); };
    const json::object* set = nullptr;
    const json::object* key = nullptr;
    if (const auto* v = o.if_contains("set"); v != nullptr && v->is_object())
      set = &v->get_object();
    if (const auto* v = o.if_contains("key"); v != nullptr && v->is_object())
      key = &v->get_object();
    std::string sql;
    std::vector<std::pair<std::string, const json::value*>> binds;
    auto add_where = [&]() -> Status {
      if (key == nullptr || key->empty()) return fail(ErrorCode::kDataLoss, where + ": no key");
      sql += " WHERE ";
      bool first = true;
      for (const auto& [c, v] : *key) {
        if (!column(c))
          return fail(ErrorCode::kFailedPrecondition, where + ": no column " + std::string(c));
        if (!first) sql += " AND ";
        first = false;
        sql += quoted(c) + " IS ?";
        binds.emplace_back(std::string(c), &v);
      }
      return ok();
    };
    if (op == "insert" || op == "update") {
      if (set == nullptr || set->empty())
        return fail(ErrorCode::kDataLoss, where + ": nothing set");
      for (const auto& [c, v] : *set) {
        if (!column(c)) {
          return fail(ErrorCode::kFailedPrecondition, where + ": no column " + std::string(c));
        }
      }
    }
    if (op == "insert") {
      std::string cols, marks;
      for (const auto& [c, v] : *set) {
        if (!cols.empty()) {
          cols += ", ";
          marks += ", ";
        }
        cols += quoted(c);
        marks += "?";
        binds.emplace_back(std::string(c), &v);
      }
      sql = cols.empty()
                ? "INSERT INTO " + quoted(table) + " DEFAULT VALUES"
                : "INSERT INTO " + quoted(table) + " (" + cols + ") VALUES (" + marks + ")";
    } else if (op == "update") {
      sql = "UPDATE " + quoted(table) + " SET ";
      bool first = true;
      for (const auto& [c, v] : *set) {
        if (!first) sql += ", ";
        first = false;
        sql += quoted(c) + " = ?";
        binds.emplace_back(std::string(c), &v);
      }
      MINATO_TRY(add_where());
    } else if (op == "delete") {
      sql = "DELETE FROM " + quoted(table);
      MINATO_TRY(add_where());
    } else {
      return fail(ErrorCode::kDataLoss, where + ": unknown operation");
    }
    // The same shapes repeat (a unit's insert, its state change): prepared once.
    auto cached = statements_.find(sql);
    if (cached == statements_.end()) {
      sqlite3_stmt* fresh = nullptr;
      if (sqlite3_prepare_v3(db, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &fresh, nullptr) !=
          SQLITE_OK) {
        return fail(ErrorCode::kInternal, where + ": " + sqlite3_errmsg(db));
      }
      cached = statements_.emplace(sql, fresh).first;
    }
    sqlite3_stmt* st = cached->second;
    struct Reset {
      sqlite3_stmt* s;
      ~Reset() {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
      }
    } reset{st};
    for (size_t i = 0; i < binds.size(); ++i) {
      MINATO_TRY(bind_value(st, static_cast<int>(i + 1), *binds[i].second,
                            where + ", column " + binds[i].first));
    }
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE) {
      return fail(ErrorCode::kConflict, where + ": " + sqlite3_errmsg(db));
    }
    if (op != "insert" && sqlite3_changes(db) != 1) {
      return fail(ErrorCode::kConflict,
                  where + ": the row it names is not there (the snapshot and the log disagree)");
    }
  }
  return static_cast<int64_t>(images->size());
}

}  // namespace minato::store
