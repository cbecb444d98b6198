#include "api/handlers.h"

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "api/json.h"
#include "testing/runtime_fixture.h"

namespace minato::api {
namespace {

class ApiTest : public testing::RuntimeFixture {};

// The OpenAPI document and the router must list the same routes (method + path).
TEST_F(ApiTest, OpenApiDocumentMatchesTheRoutes) {
  std::ifstream in(std::string(MINATO_SOURCE_DIR) + "/docs/api/openapi.yaml");
  ASSERT_TRUE(in) << "docs/api/openapi.yaml is missing";
  std::set<std::string> documented;
  std::string line, path;
  bool in_paths = false;
  const std::regex path_re(R"(^  (/\S+):\s*$)");
  const std::regex method_re(R"(^    (get|post|put|patch|delete):\s*$)");
  std::smatch m;
  while (std::getline(in, line)) {
    if (line.rfind("paths:", 0) == 0) {
      in_paths = true;
      continue;
    }
    if (!in_paths) continue;
    if (!line.empty() && line[0] != ' ') break;  // next top-level key
    if (std::regex_match(line, m, path_re)) {
      path = m[1];
    } else if (std::regex_match(line, m, method_re)) {
      std::string method = m[1];
      for (auto& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      documented.insert(method + " " + path);
    }
  }
  Api api(*rt_);
  std::set<std::string> served;
  for (const auto& r : api.router().routes()) served.insert(r.method + " " + r.pattern);

  std::ostringstream diff;
  for (const auto& s : served) {
    if (!documented.contains(s)) diff << "served but not documented: " << s << "\n";
  }
  for (const auto& d : documented) {
    if (!served.contains(d)) diff << "documented but not served: " << d << "\n";
  }
  EXPECT_TRUE(diff.str().empty()) << diff.str();
  EXPECT_GE(served.size(), 12u);
}

TEST(JsonBody, RefusesUnknownFieldsWrongTypesAndDeepNesting) {
  auto b = JsonBody::parse(R"({"a":"x","b":5,"c":1})");
  ASSERT_TRUE(b);
  EXPECT_TRUE(b->string("a", 5));
  EXPECT_TRUE(b->integer("b", 0, 10));
  auto unknown = b->finish();
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().field(), "c");

  auto typed = JsonBody::parse(R"({"a":5})");
  ASSERT_TRUE(typed);
  auto s = typed->string("a", 5);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().field(), "a");
  EXPECT_FALSE(typed->integer("missing", 0, 1));

  auto long_s = JsonBody::parse(R"({"a":"toolong"})");
  EXPECT_FALSE(long_s->string("a", 3));
  auto range = JsonBody::parse(R"({"n":11})");
  EXPECT_FALSE(range->integer("n", 0, 10));
  auto frac = JsonBody::parse(R"({"n":1.5})");
  EXPECT_FALSE(frac->integer("n", 0, 10));

  std::string deep(100, '[');
  deep = R"({"a":)" + deep + std::string(100, ']') + "}";
  auto d = JsonBody::parse(deep);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().field(), "body");
  EXPECT_FALSE(JsonBody::parse("[]"));
  EXPECT_FALSE(JsonBody::parse(R"({"a":"\xff"})"));
}

// A1.4.2: a key twice in one object is refused (the last would win, and a proxy that reads the
// first would see another request), also when spelled with an escape or nested.
TEST(JsonBody, A1_4_2_RefusesDuplicateKeys) {
  for (const char* body : {R"({"a":1,"a":2})", R"({"a":1,"\u0061":2})",
                           R"({"x":{"b":true,"b":false}})", R"({"l":[{"c":1,"c":1}]})"}) {
    auto b = JsonBody::parse(body);
    ASSERT_FALSE(b) << body;
    EXPECT_NE(b.error().message().find("more than once"), std::string::npos) << body;
  }
  // The same key in different objects is not a duplicate.
  EXPECT_TRUE(JsonBody::parse(R"({"a":{"a":1},"b":[{"a":1},{"a":2}]})"));
}

TEST_F(ApiTest, RouterAnswers404And405) {
  Api api(*rt_);
  HttpRequest req;
  req.method = "GET";
  req.path = "/api/v1/nothing";
  EXPECT_EQ(api.handle(req).status, 404);
  req.path = "/api/v1/gate/in";
  auto r = api.handle(req);
  EXPECT_EQ(r.status, 405);
  req.method = "GET";
  req.path = "/api/v1/health";
  EXPECT_EQ(api.handle(req).status, 200);
}

// G2.2.2-c: after the maximum password age, the session may only change the password.
TEST_F(ApiTest, G2_2_2_c_ExpiredPasswordAllowsOnlyAPasswordChange) {
  rt_->identity().set_password_max_days(90);
  auto secret = add_user("clerk", {"gate_clerk"});
  clock_.advance_s(91 * 86400);
  Api api(*rt_);
  auto request = [&](const char* method, const char* path, std::string body,
                     const std::string& cookie, const std::string& csrf) {
    HttpRequest req;
    req.method = method;
    req.path = path;
    req.source = "10.0.0.1";
    req.body = std::move(body);
    req.headers = {{"content-type", "application/json"}};
    if (!cookie.empty()) req.headers.emplace_back("cookie", cookie);
    if (!csrf.empty()) req.headers.emplace_back("x-csrf-token", csrf);
    return api.handle(req);
  };
  auto login = request("POST", "/api/v1/session",
                       R"({"username":"clerk","password":")" + std::string(testing::kUserPassword) +
                           R"(","totp":")" + code(secret) + R"("})",
                       "", "");
  ASSERT_EQ(login.status, 201) << login.body;
  EXPECT_NE(login.body.find(R"("password_expired":true)"), std::string::npos);
  std::string set_cookie;
  for (const auto& [k, v] : login.headers) {
    if (k == "Set-Cookie") set_cookie = v.substr(0, v.find(';'));
  }
  std::string csrf = login.body.substr(login.body.find(R"("csrf_token":")") + 14, 43);
  auto blocked = request("GET", "/api/v1/yard/occupancy", "", set_cookie, "");
  EXPECT_EQ(blocked.status, 403);
  EXPECT_NE(blocked.body.find("password has expired"), std::string::npos);
  EXPECT_EQ(request("GET", "/api/v1/session", "", set_cookie, "").status, 200);
  auto changed = request("POST", "/api/v1/session/password",
                         R"({"current_password":")" + std::string(testing::kUserPassword) +
                             R"(","new_password":"Nw8!kPz2@rQv-fresh"})",
                         set_cookie, csrf);
  ASSERT_EQ(changed.status, 204) << changed.body;
  EXPECT_EQ(request("GET", "/api/v1/yard/occupancy", "", set_cookie, "").status, 200);
}

TEST_F(ApiTest, InternalErrorsRevealNothing) {
  auto r = error_response(Error(ErrorCode::kInternal, "sqlite: no such table users at line 3"));
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body.find("sqlite"), std::string::npos);
}

}  // namespace
}  // namespace minato::api
