-- wrk script: POST the bytes of $BODY_FILE with $CONTENT_TYPE (default application/json)
-- with $API_KEY as X-API-Key and $HEADER_LENGTH as Inference-Header-Content-Length when set.
local f = assert(io.open(os.getenv("BODY_FILE"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = os.getenv("CONTENT_TYPE") or "application/json"
local key = os.getenv("API_KEY")
if key and key ~= "" then wrk.headers["X-API-Key"] = key end
local header_length = os.getenv("HEADER_LENGTH")
if header_length and header_length ~= "" then wrk.headers["Inference-Header-Content-Length"] = header_length end
