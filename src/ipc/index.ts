// `carbontracker/ipc`: what a program wrapped by the carbontracker CLI imports to mark its epochs.
export { epoch, epochEnd, epochStart } from "./client.js";
export { IPC_ENV, type IpcEvent, type IpcMessage, type IpcReply } from "./protocol.js";
