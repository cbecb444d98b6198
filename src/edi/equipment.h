// The container messages mapped to typed records, and what `minato edi inspect` reports of a
// file without importing it: BAPLIE (bay plan), COPRAR (discharge and
// load orders), COARRI (discharge and load reports), CODECO (gate reports) and VERMAS
// (verified gross mass). One Equipment per EQD+CN, with what the message says of it: its
// stowage cell, ports, weights, VGM, seals, dangerous goods, reefer set point, booking.
//
// Nothing is dropped silently: an EQD that cannot become a unit (no or a malformed container
// number, a second mention in the same file, a bay plan cell without a container...) is a
// Rejection with its reason and place; everything read past is a diagnostic. In strict mode
// a Rejection is also an error ("eqd-rejected"): strict takes all or nothing, and `inspect`
// and `import` read the same errors.
//
//   MappedFile f = map_file(bytes, Strictness::kLenient);
//   for (const Equipment& e : f.equipment) ...   // e.container is a valid ISO 6346 number
//   for (const Rejection& r : f.rejected) ...    // r.reason, r.segment, r.line
//
// Grouping: a BAPLIE lists stowage cells (each LOC+147 opens a group, its EQD inside); the
// other messages list equipment (each EQD opens a group, its LOC+147 inside).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "edi/interchange.h"

namespace minato::edi {

enum class MessageKind { kBaplie, kCoprar, kCoarri, kCodeco, kVermas, kOther };
MessageKind message_kind(std::string_view type);
std::string_view to_string(MessageKind k);

struct MessageInfo {
  std::string reference;
  std::string type;         // "BAPLIE"
  std::string directory;    // "D95B"
  std::string association;  // "SMDG20"
  size_t segment = 0;       // where its UNH is
  size_t segments = 0;      // UNH to UNT (or to where it was cut off)
  bool complete = true;     // ended with a UNT
};

// What a message's header says of the vessel call (TDT+20, the header LOCs, BGM).
struct VesselCall {
  std::string document_code;   // BGM 1001: COARRI 44 discharge / 46 load report, COPRAR 45 ...
  std::string document;        // BGM 1004: the message's document number
  std::string function;        // BGM 1225: 9 original, 5 replace, 3 deletion, ...
  std::string voyage;          // TDT 8028, the carrier's voyage number
  std::string carrier;         // TDT 3127
  std::string vessel_id;       // TDT 8213: call sign or IMO/Lloyd's number
  std::string vessel_id_kind;  // "103" call sign, "146" IMO number, ...
  std::string vessel_name;     // TDT 8212
  std::string place;           // LOC+5 (departure) / LOC+11 / LOC+9 of the header
  std::string next_port;       // LOC+61
};

struct DangerousGoodsItem {
  std::string imdg_class;  // "3", "6.1"
  std::string un_number;   // "1203"
};

struct Equipment {
  size_t message = 0;  // index into MappedFile::messages
  size_t segment = 0;  // the EQD's place
  size_t offset = 0;
  size_t line = 0;
  std::string container;           // a valid ISO 6346 number, normalised
  std::string size_type;           // as written ("45G1", legacy "4200")
  std::string status;              // EQD 8249: 2 export, 3 import, 6 transhipment, ...
  bool full = true;                // EQD 8169: 5 full, 4 empty
  std::string stowage;             // LOC+147, normalised to BBBRRTT ("" when not given)
  std::string load_port;           // LOC+9
  std::string discharge_port;      // LOC+11
  std::string destination;         // LOC+83 (place of delivery)
  std::string operator_code;       // NAD+CA (carrier) or NAD+CF (container operator)
  std::optional<int> gross_kg;     // MEA+WT / MEA+AAE+G / +EGW: gross weight
  std::optional<int> vgm_kg;       // MEA+AAE+VGM: verified gross mass
  std::string vgm_method;          // VERMAS DOC / RFF: "SM1" / "SM2" when given
  std::string vgm_party;           // VERMAS NAD+SPC (the shipper who signed it)
  std::vector<std::string> seals;  // SEL
  std::vector<DangerousGoodsItem> dangerous_goods;  // DGS+IMD
  std::optional<int> set_point_dc;                  // TMP+2, tenths of a degree Celsius
  std::string booking;                              // RFF+BN
  std::string bill_of_lading;                       // RFF+BM
  std::string event_time;  // DTM+203 (COARRI: move done) / DTM+7 (CODECO: gate)
};

struct Rejection {
  std::string container;  // as written (may be empty)
  std::string reason;
  size_t message = 0;
  size_t segment = 0;
  size_t offset = 0;
  size_t line = 0;
};

struct MappedMessage {
  MessageInfo info;
  MessageKind kind = MessageKind::kOther;
  VesselCall call;
  size_t equipment = 0;  // accepted EQDs of this message
  size_t rejected = 0;
};

struct MappedFile {
  MappedFile(std::string_view input, Strictness strictness) : diagnostics(input, strictness) {}

  ReadSummary summary;
  std::vector<MappedMessage> messages;
  std::vector<Equipment> equipment;  // what can become units
  std::vector<Rejection> rejected;   // EQDs that cannot, each with its reason
  // What `minato edi inspect` counts, in every message (mapped or not):
  size_t containers = 0;   // EQD segments with equipment qualifier CN
  size_t valid_ids = 0;    // of those, an ISO 6346 number with its right check digit
  size_t invalid_ids = 0;  // missing, malformed or with a wrong check digit
  size_t positions = 0;    // LOC+147 (stowage cell) segments
  Diagnostics diagnostics;
};

// Reads and maps a whole file. Also what `minato edi inspect` reports: it imports nothing.
MappedFile map_file(std::string_view input, Strictness strictness);

// A stowage cell as written (7-digit BBBRRTT or 6-digit BBRRTT) to BBBRRTT; nullopt if neither.
std::optional<std::string> normalise_stowage(std::string_view text);

// A weight with its unit (MEA: KGM, TNE, LBR) in whole kilograms; nullopt when unreadable.
std::optional<int> weight_kg(std::string_view unit, std::string_view value);

}  // namespace minato::edi
