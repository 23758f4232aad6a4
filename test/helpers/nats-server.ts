// Tests use the same real nats-server launcher as `symphony-codegen dev`.
export { startNatsServer, freePort, type NatsServer } from "../../generator/dev/nats-server.js";
