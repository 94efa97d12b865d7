// out[c][r] = in[r][c] + r for an rows × cols input: the Vulkan HAL tests'
// 2-D kernel, one invocation per element, rows along y.
#version 450

layout(local_size_x = 8, local_size_y = 8) in;

layout(set = 0, binding = 0) readonly buffer In { float source[]; };
layout(set = 0, binding = 1) writeonly buffer Out { float target[]; };

layout(push_constant) uniform Constants {
  int rows;
  int cols;
};

void main() {
  const uint c = gl_GlobalInvocationID.x, r = gl_GlobalInvocationID.y;
  if (r < uint(rows) && c < uint(cols))
    target[c * uint(rows) + r] = source[r * uint(cols) + c] + float(r);
}
