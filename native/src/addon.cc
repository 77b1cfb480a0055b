// syscope_native: the /proc sampler's hot path (procread.c) and pidfds, for Node and Electron
// alike (N-API is ABI-stable: one build serves both). One call samples every tracked process
// into a Float64Array the caller owns: no object or string is made per process per tick.
#include <napi.h>
#include <cerrno>
#include <cstring>
#include <vector>
#include <sys/syscall.h>
#include <unistd.h>

extern "C" {
#include "procread.h"
}

namespace {

// Processes kept open between samples; a handle is index + 1, reused after closeProcess.
std::vector<proc_handle> handles;
std::vector<uint32_t> free_slots;

proc_handle* Lookup(uint32_t id) {
  if (id == 0 || id > handles.size() || !handles[id - 1].open) return nullptr;
  return &handles[id - 1];
}

Napi::Value ThrowErrno(Napi::Env env, const char* what, int err) {
  Napi::Error e = Napi::Error::New(env, std::string(what) + ": " + strerror(err));
  e.Set("errno", Napi::Number::New(env, err));
  e.ThrowAsJavaScriptException();
  return env.Null();
}

bool IsNumbers(const Napi::CallbackInfo& info, size_t n) {
  if (info.Length() < n) return false;
  for (size_t i = 0; i < n; i++)
    if (!info[i].IsNumber()) return false;
  return true;
}

// openProcess(pid): a handle, or null when the process is gone; throws on other errors (EACCES)
Napi::Value OpenProcess(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!IsNumbers(info, 1)) {
    Napi::TypeError::New(env, "openProcess(pid): pid must be a number").ThrowAsJavaScriptException();
    return env.Null();
  }
  proc_handle h;
  int rc = proc_open(info[0].As<Napi::Number>().Int32Value(), &h);
  if (rc == -ESRCH) return env.Null();
  if (rc != 0) return ThrowErrno(env, "open /proc/<pid>", -rc);
  uint32_t id;
  if (!free_slots.empty()) {
    id = free_slots.back();
    free_slots.pop_back();
    handles[id - 1] = h;
  } else {
    handles.push_back(h);
    id = static_cast<uint32_t>(handles.size());
  }
  return Napi::Number::New(env, id);
}

Napi::Value CloseProcess(const Napi::CallbackInfo& info) {
  if (IsNumbers(info, 1)) {
    uint32_t id = info[0].As<Napi::Number>().Uint32Value();
    if (proc_handle* h = Lookup(id)) {
      proc_close(h);
      free_slots.push_back(id);
    }
  }
  return info.Env().Undefined();
}

// sampleProcesses(handles: Int32Array, what: Uint8Array, count, rows: Float64Array): row i of
// rows (PF_COUNT values) is process handles[i], read as what[i] (PROC_* bits) asks
Napi::Value SampleProcesses(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 4 || !info[0].IsTypedArray() || !info[1].IsTypedArray() || !info[2].IsNumber() ||
      !info[3].IsTypedArray()) {
    Napi::TypeError::New(env, "sampleProcesses(handles: Int32Array, what: Uint8Array, count, rows: Float64Array)")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  auto ids = info[0].As<Napi::TypedArray>();
  auto what = info[1].As<Napi::TypedArray>();
  auto rows = info[3].As<Napi::TypedArray>();
  uint32_t count = info[2].As<Napi::Number>().Uint32Value();
  if (ids.TypedArrayType() != napi_int32_array || what.TypedArrayType() != napi_uint8_array ||
      rows.TypedArrayType() != napi_float64_array || ids.ElementLength() < count || what.ElementLength() < count ||
      rows.ElementLength() < static_cast<size_t>(count) * PF_COUNT) {
    Napi::TypeError::New(env, "sampleProcesses: arrays of the wrong type or too short for count").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const int32_t* id = ids.As<Napi::Int32Array>().Data();
  const uint8_t* w = what.As<Napi::Uint8Array>().Data();
  double* row = rows.As<Napi::Float64Array>().Data();
  for (uint32_t i = 0; i < count; i++, row += PF_COUNT) {
    proc_handle* h = Lookup(static_cast<uint32_t>(id[i]));
    if (h) {
      proc_sample(h, w[i], row);
    } else {
      for (int f = 0; f < PF_COUNT; f++) row[f] = 0;
    }
  }
  return env.Undefined();
}

// the comm stat gave at the handle's last read, as its bytes: a comm need not be UTF-8, and the
// caller decodes it as the helper does (src/main/proc/bytes-text.ts)
Napi::Value ProcessComm(const Napi::CallbackInfo& info) {
  proc_handle* h = IsNumbers(info, 1) ? Lookup(info[0].As<Napi::Number>().Uint32Value()) : nullptr;
  return h ? Napi::Buffer<char>::Copy(info.Env(), h->comm, strlen(h->comm)) : info.Env().Null();
}

// listPids(out: Int32Array): how many pids /proc lists (when more than out holds, only the count)
Napi::Value ListPids(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
    Napi::TypeError::New(env, "listPids(out: Int32Array)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  auto out = info[0].As<Napi::Int32Array>();
  int n = proc_list_pids(out.Data(), static_cast<int>(out.ElementLength()));
  if (n < 0) return ThrowErrno(env, "list /proc", -n);
  return Napi::Number::New(env, n);
}

// parentOf(pid): its ppid, or -1 when it is gone
Napi::Value ParentOf(const Napi::CallbackInfo& info) {
  if (!IsNumbers(info, 1)) return Napi::Number::New(info.Env(), -1);
  return Napi::Number::New(info.Env(), proc_ppid(info[0].As<Napi::Number>().Int32Value()));
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
  static const char* const names[] = {PROC_FIELD_NAMES};
  static_assert(sizeof(names) / sizeof(names[0]) == PF_COUNT, "PROC_FIELD_NAMES and enum proc_field disagree");
  Napi::Array fields = Napi::Array::New(env, PF_COUNT);
  for (uint32_t i = 0; i < PF_COUNT; i++) fields.Set(i, Napi::String::New(env, names[i]));
  exports.Set("rowFields", fields);
  exports.Set("openProcess", Napi::Function::New(env, OpenProcess));
  exports.Set("closeProcess", Napi::Function::New(env, CloseProcess));
  exports.Set("sampleProcesses", Napi::Function::New(env, SampleProcesses));
  exports.Set("processComm", Napi::Function::New(env, ProcessComm));
  exports.Set("listPids", Napi::Function::New(env, ListPids));
  exports.Set("parentOf", Napi::Function::New(env, ParentOf));
  exports.Set("pidfdOpen", Napi::Function::New(env, PidfdOpen));
  exports.Set("pidfdAlive", Napi::Function::New(env, PidfdAlive));
  exports.Set("closeFd", Napi::Function::New(env, CloseFd));
  return exports;
}

}  // namespace

NODE_API_MODULE(syscope_native, Init)
