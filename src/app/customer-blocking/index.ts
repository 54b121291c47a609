export { blockedCustomerOrders, BlockedCustomerOrdersState, CUSTOMER_BLOCKED_REASON, MAX_REMEMBERED_BLOCKS, MAX_REMEMBERED_ORDERS, RACE_WINDOW_MS, slippedPast } from "./process-manager";
