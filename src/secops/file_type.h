// What a file from outside is, judged by its bytes, not its name (G2.7.1-c/d). Minato takes in
// EDIFACT, CSV and JSON text (and the listing `dpkg -l` prints) only; executables, scripts,
// archives, macro-capable office documents, PDFs and anything else that is not such text are
// refused, naming what they look like. Each consumer then takes only the types it reads (an
// EDI import EDIFACT, an inventory CSV, a software list JSON or dpkg output).
//
//   auto t = classify_file(bytes);   // FileType::kEdifact, or an error "a ZIP archive ..."
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace minato::secops {

// kZip is never what classify_file() answers (it refuses archives): only the media intake's
// advisory archive kind takes one, an OSV all.zip checked by secops/feed_archive.h.
enum class FileType { kEdifact, kCsv, kJson, kDpkgList, kZip, kPdf, kPng, kJpeg, kText };
std::string_view to_string(FileType t);

// kInvalidArgument naming what the file looks like when it is none of those.
// On refusal, `*looks_like` (if given) is set to a short name ("executable", "archive", ...).
Result<FileType> classify_file(std::string_view bytes, std::string* looks_like = nullptr);

// Evidence of an organisational measure (the compliance register): a PDF without active
// content, a PNG or JPEG image (a photo of a locked rack, a scanned signature sheet), or text
// (UTF-8, CSV, Markdown). A PDF is refused when any of its names (#xx escapes decoded) asks for
// code or actions — /JavaScript, /JS, /Launch, /EmbeddedFile, /OpenAction, /AA, /RichMedia,
// /XFA, /SubmitForm, /ImportData; names inside compressed object streams are clamd's to see.
// Executables, archives and Office documents are refused as classify_file() refuses them.
Result<FileType> classify_evidence(std::string_view bytes, std::string* looks_like = nullptr);

}  // namespace minato::secops
