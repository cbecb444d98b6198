#include "terminal/size_type.h"

#include <cctype>
#include <cstring>

namespace minato::terminal {

namespace {

constexpr const char* kField = "size_type";

// ISO 6346:1995 first character: length.
int length_of(char c) {
  switch (c) {
    case '1':
      return 10;
    case '2':
      return 20;
    case '3':
      return 30;
    case '4':
      return 40;
    case 'B':
    case 'C':
      return 24;
    case 'D':
    case 'E':
      return 24;
    case 'F':
      return 40;
    case 'G':
      return 41;
    case 'H':
      return 43;
    case 'L':
      return 45;
    case 'M':
      return 48;
    case 'N':
      return 49;
    default:
      return 0;
  }
}

// Second character: height (inches); widths other than 8 ft use letters with the same heights.
// Returns -1 when the character is not a height code.
int height_of(char c) {
  switch (c) {
    case '0':
      return 96;
    case '2':
    case 'C':
    case 'L':
      return 102;
    case '4':
    case 'D':
    case 'M':
      return 108;
    case '5':
    case 'E':
    case 'N':
      return 114;
    case '6':
    case 'F':
    case 'P':
      return 0;  // higher than 9'6": not given exactly
    case '8':
      return 51;
    case '9':
      return 0;  // 4 ft or less
    default:
      return -1;
  }
}

// Type group letters of ISO 6346:1995 and the detailed type digits each allows.
bool valid_type(char group, char digit) {
  if (digit < '0' || digit > '9') return false;
  const char* digits = nullptr;
  switch (group) {
    case 'G':
      digits = "0123456789";
      break;  // general purpose (G4-G9 spare)
    case 'V':
      digits = "024";
      break;  // ventilated
    case 'B':
      digits = "0123456";
      break;  // dry bulk
    case 'S':
      digits = "012";
      break;  // named cargo
    case 'R':
      digits = "0123";
      break;  // thermal, refrigerated
    case 'H':
      digits = "0123456";
      break;  // thermal, insulated
    case 'U':
      digits = "0123456";
      break;  // open top
    case 'P':
      digits = "0123456";
      break;  // platform / flat rack
    case 'T':
      digits = "0123456789";
      break;  // tank
    case 'A':
      digits = "0";
      break;  // air/surface
    default:
      return false;
  }
  return std::strchr(digits, digit) != nullptr;
}

// Legacy ISO 6346:1984 type codes (two digits) mapped to the current group + digit.
const char* legacy_type(int t) {
  if (t <= 9) return "G1";
  if (t <= 19) return "V0";
  if (t <= 29) return "H0";  // insulated
  if (t <= 39) return "R1";  // refrigerated
  if (t <= 49) return "H1";  // thermal
  if (t <= 59) return "U1";  // open top
  if (t <= 69) return "P1";  // platform
  if (t <= 79) return "T1";  // tank
  if (t <= 89) return "B0";  // bulk
  return nullptr;
}

}  // namespace

Result<SizeType> SizeType::parse(std::string_view text) {
  if (text.size() != 4) {
    return fail(ErrorCode::kInvalidArgument,
                "size-type code must have 4 characters (e.g. 22G1, 45R1, L5G1 or legacy 2200)",
                kField);
  }
  std::string code;
  for (char c : text)
    code.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  auto bad = [&](const std::string& why) {
    return fail(ErrorCode::kInvalidArgument, "size-type '" + code + "': " + why, kField);
  };

  SizeType st;
  st.code_ = code;
  bool all_digits = true;
  for (char c : code) all_digits = all_digits && c >= '0' && c <= '9';

  if (all_digits) {
    // Legacy: length digit, height digit, two-digit type.
    // Length 9 was the 1984 code's "other length"; bay plans use it for 45 ft ("9500" for a
    // 45 ft high cube, as in SMDG's BAPLIE samples), today's L.
    if (code[0] != '2' && code[0] != '4' && code[0] != '1' && code[0] != '3' && code[0] != '9') {
      return bad("legacy length digit must be 1, 2, 3, 4 or 9 (45 ft)");
    }
    int type = (code[2] - '0') * 10 + (code[3] - '0');
    const char* current = legacy_type(type);
    if (current == nullptr) return bad("legacy type " + code.substr(2) + " is not defined");
    // Legacy height: 0/1 = 8'0", 2/3 = 8'6", 4 = over 8'6", 5 = 9'6", 6 = over 9'6".
    char h = code[1];
    char iso_h;
    switch (h) {
      case '0':
      case '1':
        iso_h = '0';
        break;
      case '2':
      case '3':
        iso_h = '2';
        break;
      case '4':
        iso_h = '4';
        break;
      case '5':
        iso_h = '5';
        break;
      case '6':
        iso_h = '6';
        break;
      default:
        return bad("legacy height digit must be 0 to 6");
    }
    st.iso_code_ = std::string{code[0] == '9' ? 'L' : code[0], iso_h} + current;
  } else {
    st.iso_code_ = code;
  }

  st.length_ft_ = length_of(st.iso_code_[0]);
  if (st.length_ft_ == 0)
    return bad("unknown length code '" + std::string(1, st.iso_code_[0]) + "'");
  int h = height_of(st.iso_code_[1]);
  if (h < 0) return bad("unknown height/width code '" + std::string(1, st.iso_code_[1]) + "'");
  st.height_in_ = h;
  if (!valid_type(st.iso_code_[2], st.iso_code_[3])) {
    return bad("unknown type code '" + st.iso_code_.substr(2) + "'");
  }
  return st;
}

}  // namespace minato::terminal
