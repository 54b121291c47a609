export { orderHistory } from "./projection";
export { DEFAULT_HISTORY_PAGE, MAX_HISTORY_PAGE, OrderHistoryView, orderHistoryQuery } from "./query";
