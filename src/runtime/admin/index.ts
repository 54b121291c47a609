export { MAX_DEAD_LETTER_PAGE, mountAdminRoutes } from "./admin-routes";
