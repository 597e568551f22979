{
  # Native hot paths, built by node-gyp at `npm install` (C++17, node-addon-api).
  # Each target compiles every .cc file in its folder, so adding a file needs no edit here.
  "targets": [
    {
      "target_name": "corpusmill_tokenize",
      "sources": ["<!@(node -e \"const fs=require('fs');console.log(fs.readdirSync('native/tokenize').filter(f=>f.endsWith('.cc')).sort().map(f=>'native/tokenize/'+f).join(' '))\")"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "native"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++1y", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-O3", "-fexceptions", "-fvisibility=hidden", "-fno-gnu-unique", "-pthread"],
      "ldflags": ["-pthread"],
      "xcode_settings": { "GCC_ENABLE_CPP_EXCEPTIONS": "YES", "CLANG_CXX_LANGUAGE_STANDARD": "c++17", "OTHER_CPLUSPLUSFLAGS": ["-O3"] }
    },
    {
      "target_name": "corpusmill_text",
      "sources": ["<!@(node -e \"const fs=require('fs');console.log(fs.readdirSync('native/text').filter(f=>f.endsWith('.cc')).sort().map(f=>'native/text/'+f).join(' '))\")"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "native"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++1y", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-O3", "-fexceptions", "-fvisibility=hidden", "-fno-gnu-unique"],
      "xcode_settings": { "GCC_ENABLE_CPP_EXCEPTIONS": "YES", "CLANG_CXX_LANGUAGE_STANDARD": "c++17", "OTHER_CPLUSPLUSFLAGS": ["-O3"] }
    }
  ]
}
