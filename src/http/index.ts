export { HttpServer, send, type Handler } from "./server.js";
export { safeEqual, bearerToken } from "./tokens.js";
