// The software inventory over the API (G2.6.1-b, G2.7.4, A1.3.4): Minato's own SBOM, and the
// software lists of the register's assets, imported through the media intake. Imports need
// asset.manage; reads asset.manage or audit.read (SoftwareService checks and records them).
#include <boost/json.hpp>

#include "api/handlers.h"
#include "api/route_kit.h"
#include "app/runtime.h"
#include "app/views.h"

namespace minato::api {

namespace json = boost::json;

void Api::add_software_routes() {
  auto authed = [this](CallerHandler fn) { return this->authed(std::move(fn)); };

  // CycloneDX 1.5 JSON, read now from the running process and its host.
  router_.add("GET", "/api/v1/sbom",
              authed([this](const HttpRequest&, const PathParams&,
                            const Caller& c) -> Result<HttpResponse> {
                auto bom = rt_.software().sbom(c.actor);
                if (!bom) return fail(bom.error());
                return attachment(200, "application/vnd.cyclonedx+json; version=1.5",
                                  secops::to_cyclonedx_json(*bom),
                                  "minato-" + bom->subject.version + ".cdx.json");
              }));

  router_.add("GET", "/api/v1/software",
              authed([this](const HttpRequest&, const PathParams&,
                            const Caller& c) -> Result<HttpResponse> {
                auto all = rt_.software().all(c.actor);
                if (!all) return fail(all.error());
                json::array arr;
                for (const auto& l : *all) arr.push_back(app::to_json(l, false));
                return ok_json(json::object{{"lists", std::move(arr)}});
              }));

  router_.add("GET", "/api/v1/assets/{tag}/software",
              authed([this](const HttpRequest&, const PathParams& p,
                            const Caller& c) -> Result<HttpResponse> {
                auto l = rt_.software().list_of(c.actor, p.at("tag"));
                if (!l) return fail(l.error());
                return ok_json(app::to_json(*l));
              }));

  // The list itself as the body: dpkg-query output (text/plain or text/tab-separated-values)
  // or a CycloneDX file (application/json or application/vnd.cyclonedx+json).
  router_.add(
      "POST", "/api/v1/assets/{tag}/software",
      authed([this](const HttpRequest& req, const PathParams& p,
                    const Caller& c) -> Result<HttpResponse> {
        std::string_view type = req.header("content-type");
        type = type.substr(0, type.find(';'));
        if (type != "text/plain" && type != "text/tab-separated-values" &&
            type != "application/json" && type != "application/vnd.cyclonedx+json") {
          return ok_json(
              json::object{
                  {"error", json::object{{"code", "unsupported_media_type"},
                                         {"message",
                                          "send the list itself as the body: dpkg-query output as "
                                          "text/plain, or a CycloneDX file as application/json"}}}},
              415);
        }
        std::string name(req.header("x-file-name"));
        auto l = rt_.software().import_list(c.actor, p.at("tag"),
                                            name.empty() ? "software.txt" : name, req.body, "api");
        if (!l) return fail(l.error());
        return ok_json(app::to_json(*l, false), 201);
      }));
}

}  // namespace minato::api
