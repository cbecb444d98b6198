#include "terminal/imdg.h"

#include <algorithm>
#include <array>

namespace minato::terminal {

namespace {

constexpr std::array<std::string_view, 20> kNames = {
    "1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "2.1", "2.2", "2.3", "3",
    "4.1", "4.2", "4.3", "5.1", "5.2", "6.1", "6.2", "7",   "8",   "9"};

// The table's columns for each name above.
constexpr std::array<uint8_t, 20> kColumn = {0, 0, 1, 2,  0,  1,  3,  4,  5,  6,
                                             7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

// IMDG Code 7.2.4, general segregation table; 0 stands for "X" and for the within-class-1
// cells (compatibility groups). Rows and columns: 1.1/1.2/1.5, 1.3/1.6, 1.4, 2.1, 2.2, 2.3, 3,
// 4.1, 4.2, 4.3, 5.1, 5.2, 6.1, 6.2, 7, 8, 9.
constexpr uint8_t kTable[17][17] = {
    {0, 0, 0, 4, 2, 2, 4, 4, 4, 4, 4, 4, 2, 4, 2, 4, 0},  // 1.1, 1.2, 1.5
    {0, 0, 0, 4, 2, 2, 4, 3, 3, 4, 4, 4, 2, 4, 2, 2, 0},  // 1.3, 1.6
    {0, 0, 0, 2, 1, 1, 2, 2, 2, 2, 2, 2, 0, 4, 2, 2, 0},  // 1.4
    {4, 4, 2, 0, 0, 0, 2, 1, 2, 0, 2, 2, 0, 4, 2, 1, 0},  // 2.1
    {2, 2, 1, 0, 0, 0, 1, 0, 1, 0, 0, 1, 0, 2, 1, 0, 0},  // 2.2
    {2, 2, 1, 0, 0, 0, 2, 0, 2, 0, 0, 2, 0, 2, 1, 0, 0},  // 2.3
    {4, 4, 2, 2, 1, 2, 0, 0, 2, 1, 2, 2, 0, 3, 2, 0, 0},  // 3
    {4, 3, 2, 1, 0, 0, 0, 0, 1, 0, 1, 2, 0, 3, 2, 1, 0},  // 4.1
    {4, 3, 2, 2, 1, 2, 2, 1, 0, 1, 2, 2, 1, 3, 2, 1, 0},  // 4.2
    {4, 4, 2, 0, 0, 0, 1, 0, 1, 0, 2, 2, 0, 2, 2, 1, 0},  // 4.3
    {4, 4, 2, 2, 0, 0, 2, 1, 2, 2, 0, 2, 1, 3, 1, 2, 0},  // 5.1
    {4, 4, 2, 2, 1, 2, 2, 2, 2, 2, 2, 0, 1, 3, 2, 2, 0},  // 5.2
    {2, 2, 0, 0, 0, 0, 0, 0, 1, 0, 1, 1, 0, 1, 0, 0, 0},  // 6.1
    {4, 4, 4, 4, 2, 2, 3, 3, 3, 2, 3, 3, 1, 0, 3, 3, 0},  // 6.2
    {2, 2, 2, 2, 1, 1, 2, 2, 2, 2, 1, 2, 0, 3, 0, 2, 0},  // 7
    {4, 2, 2, 1, 0, 0, 0, 1, 1, 1, 2, 2, 0, 3, 2, 0, 0},  // 8
    {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},  // 9
};

}  // namespace

Result<ImdgClass> ImdgClass::parse(std::string_view text) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == text) return ImdgClass(static_cast<uint8_t>(i));
  }
  return fail(ErrorCode::kInvalidArgument,
              "IMDG class must be one of 1.1-1.6, 2.1-2.3, 3, 4.1-4.3, 5.1, 5.2, 6.1, 6.2, 7, 8, 9",
              "imdg_class");
}

std::string_view ImdgClass::str() const { return kNames[code_]; }
int ImdgClass::column() const { return kColumn[code_]; }

int segregation(const ImdgClass& a, const ImdgClass& b) { return kTable[a.column()][b.column()]; }

int segregation_columns(int a, int b) {
  if (a < 0 || a > 16 || b < 0 || b > 16) return 0;
  return kTable[a][b];
}

int segregation_masks(uint32_t a, uint32_t b) {
  int worst = 0;
  for (int i = 0; i < 17; ++i) {
    if (!(a & (1u << i))) continue;
    for (int j = 0; j < 17; ++j) {
      if (b & (1u << j)) worst = std::max<int>(worst, kTable[i][j]);
    }
  }
  return worst;
}

std::string_view segregation_column_name(int column) {
  static constexpr std::array<std::string_view, 17> kHeads = {
      "1.1/1.2/1.5", "1.3/1.6", "1.4", "2.1", "2.2", "2.3", "3", "4.1", "4.2",
      "4.3",         "5.1",     "5.2", "6.1", "6.2", "7",   "8", "9"};
  if (column < 0 || column > 16) return "?";
  return kHeads[static_cast<size_t>(column)];
}

int land_distance_m(int segregation_code) {
  static constexpr int kMetres[5] = {0, 3, 6, 12, 24};
  if (segregation_code < 0 || segregation_code > 4) return 24;
  return kMetres[segregation_code];
}

bool valid_un_number(std::string_view text) {
  if (text.size() == 6 && text.substr(0, 2) == "UN") text.remove_prefix(2);
  if (text.size() != 4) return false;
  int v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  return v >= 4 && v <= 3600;
}

}  // namespace minato::terminal
