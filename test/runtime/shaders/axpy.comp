// y[i] = a[i] * scale + b[i] for i < count: the Vulkan HAL tests' 1-D kernel.
#version 450

layout(local_size_x = 64) in;

layout(set = 0, binding = 0) readonly buffer A { float a[]; };
layout(set = 0, binding = 1) readonly buffer B { float b[]; };
layout(set = 0, binding = 2) writeonly buffer Y { float y[]; };

layout(push_constant) uniform Constants {
  int count;
  int scale;
};

void main() {
  const uint i = gl_GlobalInvocationID.x;
  if (i < uint(count))
    y[i] = a[i] * float(scale) + b[i];
}
