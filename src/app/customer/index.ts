export { customer, decideCustomer, evolveCustomer, initialCustomerState, type CustomerState } from "./customer";
export { customerCommands, type CustomerCommand } from "./commands";
export { CustomerBlocked, customerEvents, CustomerRegistered, CustomerUnblocked, MAX_NAME_LENGTH, type CustomerEvent } from "./events";
