#include "secops/feed_archive.h"

#include <zip.h>

#include <memory>
#include <string>

namespace minato::secops {

namespace {

Error bad(const std::string& what) { return Error(ErrorCode::kInvalidArgument, what, "file"); }

struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};
struct FileCloser {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};
using Zip = std::unique_ptr<zip_t, ZipCloser>;

Result<Zip> open_zip(std::string_view bytes) {
  if (!looks_like_zip(bytes)) return fail(bad("not a ZIP archive"));
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* src = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
  if (src == nullptr) {
    std::string msg = zip_error_strerror(&error);
    zip_error_fini(&error);
    return fail(bad("cannot read the archive: " + msg));
  }
  zip_t* z = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &error);
  if (z == nullptr) {
    std::string msg = zip_error_strerror(&error);
    zip_source_free(src);
    zip_error_fini(&error);
    return fail(bad("not a sound ZIP archive: " + msg));
  }
  zip_error_fini(&error);
  return Zip(z);
}

bool safe_name(std::string_view n) {
  if (n.size() < 6 || n.size() > 200 || !n.ends_with(".json") || n[0] == '.') return false;
  for (char c : n) {
    if (c == '/' || c == '\\' || c == ':' || static_cast<unsigned char>(c) < 0x20) return false;
  }
  return true;
}

// Checks every entry's directory record; fills `total` with the declared plain bytes.
Result<size_t> check(zip_t* z, const ArchiveLimits& limits) {
  const zip_int64_t n = zip_get_num_entries(z, 0);
  if (n <= 0) return fail(bad("the archive holds no file"));
  if (static_cast<uint64_t>(n) > limits.max_entries) {
    return fail(bad("the archive holds " + std::to_string(n) + " entries, more than " +
                    std::to_string(limits.max_entries)));
  }
  uint64_t total = 0;
  for (zip_int64_t i = 0; i < n; ++i) {
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(z, static_cast<zip_uint64_t>(i), 0, &st) != 0) {
      return fail(bad("entry " + std::to_string(i) + ": " + zip_strerror(z)));
    }
    const std::string name = (st.valid & ZIP_STAT_NAME) && st.name ? st.name : "";
    const std::string at = "entry " + std::to_string(i) + " (" + name.substr(0, 80) + ")";
    if (!safe_name(name)) {
      return fail(bad(at + ": not a .json file at the top of the archive"));
    }
    if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE) {
      return fail(bad(at + ": encrypted"));
    }
    if (!(st.valid & ZIP_STAT_COMP_METHOD) ||
        (st.comp_method != ZIP_CM_STORE && st.comp_method != ZIP_CM_DEFLATE)) {
      return fail(bad(at + ": neither stored nor deflated"));
    }
    if (!(st.valid & ZIP_STAT_SIZE) || !(st.valid & ZIP_STAT_COMP_SIZE)) {
      return fail(bad(at + ": no size"));
    }
    if (st.size > limits.max_entry_bytes) {
      return fail(bad(at + ": " + std::to_string(st.size) + " bytes, more than " +
                      std::to_string(limits.max_entry_bytes) + " for one record"));
    }
    if (st.size > limits.max_ratio * std::max<zip_uint64_t>(st.comp_size, 1)) {
      return fail(bad(at + ": inflates " +
                      std::to_string(st.size / std::max<zip_uint64_t>(st.comp_size, 1)) +
                      " times its stored size (at most " + std::to_string(limits.max_ratio) +
                      "): a zip bomb?"));
    }
    total += st.size;
    if (total > limits.max_total_bytes) {
      return fail(bad("the archive inflates to more than " +
                      std::to_string(limits.max_total_bytes) + " bytes"));
    }
  }
  return static_cast<size_t>(n);
}

}  // namespace

bool looks_like_zip(std::string_view bytes) { return bytes.starts_with("PK\x03\x04"); }

Result<size_t> check_feed_archive(std::string_view bytes, const ArchiveLimits& limits) {
  auto z = open_zip(bytes);
  if (!z) return fail(z.error());
  return check(z->get(), limits);
}

Result<Feed> read_osv_archive(std::string_view bytes, const ArchiveLimits& limits) {
  auto z = open_zip(bytes);
  if (!z) return fail(z.error());
  auto n = check(z->get(), limits);
  if (!n) return fail(n.error());
  Feed f;
  f.kind = "osv";
  std::string buf;
  for (size_t i = 0; i < *n; ++i) {
    zip_stat_t st;
    zip_stat_init(&st);
    zip_stat_index(z->get(), i, 0, &st);
    const std::string at = "entry " + std::to_string(i) + " (" + std::string(st.name) + ")";
    std::unique_ptr<zip_file_t, FileCloser> file(zip_fopen_index(z->get(), i, 0));
    if (!file) return fail(bad(at + ": " + zip_strerror(z->get())));
    // One byte more than declared: a header that lies about the size is caught here.
    buf.resize(static_cast<size_t>(st.size) + 1);
    zip_int64_t got = 0;
    while (got < static_cast<zip_int64_t>(buf.size())) {
      zip_int64_t r = zip_fread(file.get(), buf.data() + got, buf.size() - got);
      if (r < 0) {
        return fail(bad(at + ": " + std::string(zip_file_strerror(file.get()))));
      }
      if (r == 0) break;
      got += r;
    }
    if (static_cast<zip_uint64_t>(got) != st.size) {
      return fail(bad(at + ": holds " +
                      std::string(got > static_cast<zip_int64_t>(st.size) ? "more" : "fewer") +
                      " bytes than it declares"));
    }
    auto a = parse_osv_record(std::string_view(buf.data(), st.size), at);
    if (!a) return fail(a.error());
    if (a->modified > f.newest) f.newest = a->modified;
    f.advisories.push_back(std::move(*a));
  }
  return f;
}

}  // namespace minato::secops
