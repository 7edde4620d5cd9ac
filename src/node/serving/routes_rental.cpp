// GET /rentals: the rentals this node serves models under (used and prepaid counts, report
// sequence, batch files ready to settle); and the gate the inference routes pass a rented
// model's requests through (node/rental/).
#include "node/serving/route.h"

namespace fogline::node {

std::optional<RentalGate> admit_rental_or_reply(const ServedModel& model, httplib::Response& res) {
  RentalGate gate;
  if (!model.rental) return gate;
  auto ticket = model.rental->admit();
  if (!ticket.is_ok()) {
    // 402 Payment Required: the request was fine, the prepayment is not.
    reply_json(res, 402, model.rental->refusal_json(model.name));
    return std::nullopt;
  }
  gate.ticket.emplace(std::move(ticket).value());
  return gate;
}

bool RentalGate::commit(httplib::Response& res) {
  if (!ticket) return true;
  Status st = ticket->commit();
  ticket.reset();
  if (st.is_ok()) return true;
  reply_error(res, 500, "the inference ran but the rental's usage counter could not be recorded, so it is not answered: " +
                            st.message());
  return false;
}

std::vector<Route> rental_routes() {
  return {{"GET", "/rentals", [](const RouteContext& ctx, const httplib::Request&, httplib::Response& res) {
             reply_json(res, 200, nlohmann::json{{"rentals", ctx.rentals.status_json()}});
           }}};
}

}  // namespace fogline::node
