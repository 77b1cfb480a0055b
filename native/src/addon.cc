// syscope_native: the /proc sampler's hot path (procread.c) and pidfds, for Node and Electron
// alike (N-API is ABI-stable: one build serves both).
#include <napi.h>
#include <cerrno>
#include <cstring>
#include <sys/syscall.h>
#include <unistd.h>

extern "C" {
#include "procread.h"
}

namespace {

Napi::Value num(Napi::Env env, int64_t v) {
  if (v < 0) return env.Null();
  return Napi::Number::New(env, static_cast<double>(v));
}

Napi::Value ReadProcess(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) {
    Napi::TypeError::New(env, "readProcess(pid, smaps): pid must be a number").ThrowAsJavaScriptException();
    return env.Null();
  }
  int pid = info[0].As<Napi::Number>().Int32Value();
  bool smaps = info.Length() > 1 && info[1].ToBoolean().Value();
  proc_sample s;
  int rc = proc_read(pid, smaps ? 1 : 0, &s);
  if (rc != 0) return env.Null();  // gone (or unreadable stat): the caller treats it as exited
  Napi::Object o = Napi::Object::New(env);
  o.Set("pid", s.pid);
  o.Set("ppid", s.ppid);
  o.Set("comm", Napi::String::New(env, s.comm));
  o.Set("state", Napi::String::New(env, std::string(1, s.state)));
  o.Set("uid", num(env, s.uid));
  o.Set("starttime_ticks", num(env, s.starttime));
  o.Set("utime_ticks", num(env, s.utime));
  o.Set("stime_ticks", num(env, s.stime));
  o.Set("threads", num(env, s.threads));
  o.Set("minflt", num(env, s.minflt));
  o.Set("majflt", num(env, s.majflt));
  o.Set("rss_bytes", num(env, s.rss));
  o.Set("pss_bytes", num(env, s.pss));
  o.Set("swap_bytes", num(env, s.swap));
  o.Set("hwm_bytes", num(env, s.hwm));
  o.Set("vol_ctxsw", num(env, s.vol_ctxsw));
  o.Set("invol_ctxsw", num(env, s.invol_ctxsw));
  o.Set("fds", num(env, s.fds));
  o.Set("rchar", num(env, s.rchar));
  o.Set("wchar", num(env, s.wchar));
  o.Set("read_bytes", num(env, s.read_bytes));
  o.Set("write_bytes", num(env, s.write_bytes));
  return o;
}

// A pidfd pins a process: a reused pid is never mistaken for the one attached.
Napi::Value PidfdOpen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int pid = info[0].As<Napi::Number>().Int32Value();
  long fd = syscall(SYS_pidfd_open, pid, 0);
  if (fd < 0) {
    Napi::Error e = Napi::Error::New(env, std::string("pidfd_open: ") + strerror(errno));
    e.Set("code", Napi::String::New(env, errno == ESRCH ? "ESRCH" : "EIO"));
    e.ThrowAsJavaScriptException();
    return env.Null();
  }
  return Napi::Number::New(env, static_cast<double>(fd));
}

// Still the same live process? (signal 0 through the pidfd)
Napi::Value PidfdAlive(const Napi::CallbackInfo& info) {
  int fd = info[0].As<Napi::Number>().Int32Value();
  long rc = syscall(SYS_pidfd_send_signal, fd, 0, nullptr, 0);
  return Napi::Boolean::New(info.Env(), rc == 0 || errno == EPERM);
}

Napi::Value CloseFd(const Napi::CallbackInfo& info) {
  close(info[0].As<Napi::Number>().Int32Value());
  return info.Env().Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("readProcess", Napi::Function::New(env, ReadProcess));
  exports.Set("pidfdOpen", Napi::Function::New(env, PidfdOpen));
  exports.Set("pidfdAlive", Napi::Function::New(env, PidfdAlive));
  exports.Set("closeFd", Napi::Function::New(env, CloseFd));
  return exports;
}

}  // namespace

NODE_API_MODULE(syscope_native, Init)
