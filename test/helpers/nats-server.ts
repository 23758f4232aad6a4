// Tests use the same real nats-server launcher as `symphony-codegen dev`.
export { startNatsServer, freePort, type NatsServer } from "../../dev/nats-server.js";
