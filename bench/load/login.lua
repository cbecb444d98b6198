-- wrk script: failed logins for random user names (a password spray), JSON body.
-- Used by bench/load/login_flood.py --tool wrk.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
math.randomseed(os.time())
request = function()
  local body = string.format(
    '{"username":"user%d","password":"Wrong#Pass123","totp":"000000"}', math.random(1, 10000))
  return wrk.format(nil, "/api/v1/session", nil, body)
end
