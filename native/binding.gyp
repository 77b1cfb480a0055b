{
  "targets": [
    {
      "target_name": "syscope_native",
      "sources": ["src/addon.cc", "src/procread.c"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags": ["-O2", "-Wall"],
      "cflags_cc": ["-O2", "-Wall", "-std=c++17"]
    }
  ]
}
