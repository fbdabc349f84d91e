export { HttpServer, send, type Handler } from "./server.js";
