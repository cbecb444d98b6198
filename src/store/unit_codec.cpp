#include "store/unit_codec.h"

#include <boost/json.hpp>

namespace minato::store {

namespace json = boost::json;
namespace t = minato::terminal;

namespace {

Error corrupt(std::string_view what) {
  return Error(ErrorCode::kDataLoss, "stored unit " + std::string(what) + " is corrupt");
}

const json::value* field(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it == o.end() ? nullptr : &it->value();
}

bool get_string(const json::object& o, std::string_view key, std::string* out) {
  const json::value* v = field(o, key);
  if (v == nullptr) return true;
  if (!v->is_string()) return false;
  *out = std::string(v->as_string());
  return true;
}

bool get_int(const json::object& o, std::string_view key, int* out) {
  const json::value* v = field(o, key);
  if (v == nullptr) return true;
  if (!v->is_int64()) return false;
  *out = static_cast<int>(v->as_int64());
  return true;
}

}  // namespace

std::string encode_unit_details(const t::UnitSpec& s) {
  json::object o;
  if (s.vgm) {
    o["vgm"] = json::object{
        {"kg", s.vgm->kg}, {"method", t::to_string(s.vgm->method)}, {"party", s.vgm->party}};
  }
  if (!s.seals.empty()) {
    json::array a;
    for (const auto& seal : s.seals) a.emplace_back(seal);
    o["seals"] = std::move(a);
  }
  if (!s.dangerous_goods.empty()) {
    json::array a;
    for (const auto& dg : s.dangerous_goods) {
      a.push_back(json::object{{"un", dg.un_number}, {"class", dg.imdg_class.str()}});
    }
    o["dg"] = std::move(a);
  }
  if (s.reefer) {
    o["reefer"] =
        json::object{{"set_point_dc", s.reefer->set_point_dc}, {"power", s.reefer->needs_power}};
  }
  if (s.over_dimensions) {
    const auto& d = *s.over_dimensions;
    o["oog"] = json::object{
        {"f", d.front_cm}, {"b", d.back_cm}, {"l", d.left_cm}, {"r", d.right_cm}, {"t", d.top_cm}};
  }
  if (!s.damages.empty()) {
    json::array a;
    for (const auto& d : s.damages) a.push_back(json::object{{"code", d.code}, {"note", d.note}});
    o["damages"] = std::move(a);
  }
  if (!s.pod.empty()) o["pod"] = s.pod;
  if (!s.delivery_order.empty()) o["do"] = s.delivery_order;
  return json::serialize(o);
}

Status decode_unit_details(std::string_view text, t::UnitSpec* s) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return fail(corrupt("details"));
  const json::object& o = v.as_object();
  if (const auto* vgm = field(o, "vgm")) {
    if (!vgm->is_object()) return fail(corrupt("VGM"));
    t::Vgm g;
    std::string method;
    if (!get_int(vgm->as_object(), "kg", &g.kg) ||
        !get_string(vgm->as_object(), "method", &method) ||
        !get_string(vgm->as_object(), "party", &g.party)) {
      return fail(corrupt("VGM"));
    }
    auto m = t::vgm_method_from(method);
    if (!m) return fail(corrupt("VGM method"));
    g.method = *m;
    s->vgm = std::move(g);
  }
  if (const auto* seals = field(o, "seals")) {
    if (!seals->is_array()) return fail(corrupt("seals"));
    for (const auto& x : seals->as_array()) {
      if (!x.is_string()) return fail(corrupt("seals"));
      s->seals.emplace_back(x.as_string());
    }
  }
  if (const auto* dgs = field(o, "dg")) {
    if (!dgs->is_array()) return fail(corrupt("dangerous goods"));
    for (const auto& x : dgs->as_array()) {
      if (!x.is_object()) return fail(corrupt("dangerous goods"));
      std::string un, cls;
      if (!get_string(x.as_object(), "un", &un) || !get_string(x.as_object(), "class", &cls)) {
        return fail(corrupt("dangerous goods"));
      }
      auto c = t::ImdgClass::parse(cls);
      if (!c) return fail(corrupt("IMDG class"));
      s->dangerous_goods.push_back(t::DangerousGoods{std::move(un), *c});
    }
  }
  if (const auto* r = field(o, "reefer")) {
    if (!r->is_object()) return fail(corrupt("reefer"));
    t::ReeferSettings rs;
    if (!get_int(r->as_object(), "set_point_dc", &rs.set_point_dc)) return fail(corrupt("reefer"));
    const auto* power = field(r->as_object(), "power");
    if (power == nullptr || !power->is_bool()) return fail(corrupt("reefer"));
    rs.needs_power = power->as_bool();
    s->reefer = rs;
  }
  if (const auto* d = field(o, "oog")) {
    if (!d->is_object()) return fail(corrupt("over-dimensions"));
    t::OverDimensions od;
    const auto& x = d->as_object();
    if (!get_int(x, "f", &od.front_cm) || !get_int(x, "b", &od.back_cm) ||
        !get_int(x, "l", &od.left_cm) || !get_int(x, "r", &od.right_cm) ||
        !get_int(x, "t", &od.top_cm)) {
      return fail(corrupt("over-dimensions"));
    }
    s->over_dimensions = od;
  }
  if (const auto* ds = field(o, "damages")) {
    if (!ds->is_array()) return fail(corrupt("damages"));
    for (const auto& x : ds->as_array()) {
      if (!x.is_object()) return fail(corrupt("damages"));
      t::Damage dmg;
      if (!get_string(x.as_object(), "code", &dmg.code) ||
          !get_string(x.as_object(), "note", &dmg.note)) {
        return fail(corrupt("damages"));
      }
      s->damages.push_back(std::move(dmg));
    }
  }
  if (!get_string(o, "pod", &s->pod) || !get_string(o, "do", &s->delivery_order)) {
    return fail(corrupt("details"));
  }
  return ok();
}

std::string encode_holds(const std::vector<t::Hold>& holds) {
  if (holds.empty()) return "[]";
  json::array a;
  for (const auto& h : holds) {
    a.push_back(json::object{
        {"kind", t::to_string(h.kind)}, {"reason", h.reason}, {"by", h.by}, {"at", h.at_us}});
  }
  return json::serialize(a);
}

Result<std::vector<t::Hold>> decode_holds(std::string_view text) {
  std::vector<t::Hold> out;
  if (text == "[]") return out;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_array()) return fail(corrupt("holds"));
  for (const auto& x : v.as_array()) {
    if (!x.is_object()) return fail(corrupt("holds"));
    const auto& o = x.as_object();
    t::Hold h;
    std::string kind;
    const auto* at = field(o, "at");
    if (!get_string(o, "kind", &kind) || !get_string(o, "reason", &h.reason) ||
        !get_string(o, "by", &h.by) || at == nullptr || !at->is_int64()) {
      return fail(corrupt("holds"));
    }
    auto k = t::hold_kind_from(kind);
    if (!k) return fail(corrupt("hold kind"));
    h.kind = *k;
    h.at_us = at->as_int64();
    out.push_back(std::move(h));
  }
  return out;
}

}  // namespace minato::store
