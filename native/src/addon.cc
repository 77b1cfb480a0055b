// syscope_native: the /proc sampler's hot path (procread.c) and pidfds, for Node and Electron
// alike (N-API is ABI-stable: one build serves both).
#include <napi.h>
#include <cerrno>
#include <cstring>
#include <unordered_map>
#include <sys/syscall.h>
#include <unistd.h>

extern "C" {
#include "procread.h"
}

namespace {

Napi::Value ToObject(Napi::Env env, const proc_sample& s);

// -1: could not be read (null); -2: not asked for this time (left out of the object)
void put(Napi::Env env, Napi::Object& o, const char* key, int64_t v) {
  if (v == -2) return;
  if (v < 0) o.Set(key, env.Null());
  else o.Set(key, Napi::Number::New(env, static_cast<double>(v)));
}

Napi::Value ReadProcess(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) {
    Napi::TypeError::New(env, "readProcess(pid, smaps): pid must be a number").ThrowAsJavaScriptException();
    return env.Null();
  }
  int pid = info[0].As<Napi::Number>().Int32Value();
  int what = info.Length() > 1 && info[1].IsNumber() ? info[1].As<Napi::Number>().Int32Value() : PROC_ALL;
  proc_sample s;
  int rc = proc_read(pid, what, &s);
  if (rc != 0) return env.Null();  // gone (or unreadable stat): the caller treats it as exited
  return ToObject(env, s);
}

Napi::Value ToObject(Napi::Env env, const proc_sample& s) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("pid", s.pid);
  o.Set("ppid", s.ppid);
  o.Set("comm", Napi::String::New(env, s.comm));
  o.Set("state", Napi::String::New(env, std::string(1, s.state)));
  put(env, o, "uid", s.uid);
  put(env, o, "starttime_ticks", s.starttime);
  put(env, o, "utime_ticks", s.utime);
  put(env, o, "stime_ticks", s.stime);
  put(env, o, "threads", s.threads);
  put(env, o, "minflt", s.minflt);
  put(env, o, "majflt", s.majflt);
  put(env, o, "rss_bytes", s.rss);
  put(env, o, "pss_bytes", s.pss);
  put(env, o, "swap_bytes", s.swap);
  put(env, o, "hwm_bytes", s.hwm);
  put(env, o, "vol_ctxsw", s.vol_ctxsw);
  put(env, o, "invol_ctxsw", s.invol_ctxsw);
  put(env, o, "fds", s.fds);
  put(env, o, "rchar", s.rchar);
  put(env, o, "wchar", s.wchar);
  put(env, o, "read_bytes", s.read_bytes);
  put(env, o, "write_bytes", s.write_bytes);
  return o;
}

// Processes kept open between samples, by a small integer id.
std::unordered_map<uint32_t, proc_handle> handles;
uint32_t next_handle = 1;

Napi::Value OpenProcess(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) {
    Napi::TypeError::New(env, "openProcess(pid): pid must be a number").ThrowAsJavaScriptException();
    return env.Null();
  }
  proc_handle h;
  if (proc_open(info[0].As<Napi::Number>().Int32Value(), &h) != 0) return env.Null();
  uint32_t id = next_handle++;
  handles[id] = h;
  return Napi::Number::New(env, id);
}

Napi::Value ReadOpen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto it = handles.find(info[0].As<Napi::Number>().Uint32Value());
  if (it == handles.end()) return env.Null();
  int what = info.Length() > 1 && info[1].IsNumber() ? info[1].As<Napi::Number>().Int32Value() : PROC_ALL;
  proc_sample s;
  if (proc_read_open(&it->second, what, &s) != 0) return env.Null();
  return ToObject(env, s);
}

Napi::Value CloseProcess(const Napi::CallbackInfo& info) {
  auto it = handles.find(info[0].As<Napi::Number>().Uint32Value());
  if (it != handles.end()) {
    proc_close(&it->second);
    handles.erase(it);
  }
  return info.Env().Undefined();
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
  exports.Set("openProcess", Napi::Function::New(env, OpenProcess));
  exports.Set("readOpen", Napi::Function::New(env, ReadOpen));
  exports.Set("closeProcess", Napi::Function::New(env, CloseProcess));
  exports.Set("pidfdOpen", Napi::Function::New(env, PidfdOpen));
  exports.Set("pidfdAlive", Napi::Function::New(env, PidfdAlive));
  exports.Set("closeFd", Napi::Function::New(env, CloseFd));
  return exports;
}

}  // namespace

NODE_API_MODULE(syscope_native, Init)
