//===- CooperativeMatrix.h - VK_KHR_cooperative_matrix declarations -*- C++
//-*-===//
//
// Debian 12's Vulkan headers (1.3.239) predate VK_KHR_cooperative_matrix
// (1.3.255), which the H100's driver offers; the few declarations the
// runtime needs to find it are copied from the registry, values unchanged,
// and drop out once the headers have them.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_HAL_VULKAN_COOPERATIVEMATRIX_H
#define AVILA_RUNTIME_HAL_VULKAN_COOPERATIVEMATRIX_H

#include <vulkan/vulkan_core.h>

#ifndef VK_KHR_cooperative_matrix
#define VK_KHR_cooperative_matrix 1
#define VK_KHR_COOPERATIVE_MATRIX_EXTENSION_NAME "VK_KHR_cooperative_matrix"

constexpr VkStructureType
    VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_COOPERATIVE_MATRIX_FEATURES_KHR =
        static_cast<VkStructureType>(1000506000);
constexpr VkStructureType VK_STRUCTURE_TYPE_COOPERATIVE_MATRIX_PROPERTIES_KHR =
    static_cast<VkStructureType>(1000506001);

// The NV extension's enums have the same values as the KHR ones.
using VkComponentTypeKHR = VkComponentTypeNV;
using VkScopeKHR = VkScopeNV;
constexpr VkComponentTypeKHR VK_COMPONENT_TYPE_FLOAT16_KHR =
    VK_COMPONENT_TYPE_FLOAT16_NV;
constexpr VkComponentTypeKHR VK_COMPONENT_TYPE_FLOAT32_KHR =
    VK_COMPONENT_TYPE_FLOAT32_NV;
constexpr VkScopeKHR VK_SCOPE_SUBGROUP_KHR = VK_SCOPE_SUBGROUP_NV;

struct VkPhysicalDeviceCooperativeMatrixFeaturesKHR {
  VkStructureType sType;
  void *pNext;
  VkBool32 cooperativeMatrix;
  VkBool32 cooperativeMatrixRobustBufferAccess;
};

struct VkCooperativeMatrixPropertiesKHR {
  VkStructureType sType;
  void *pNext;
  uint32_t MSize;
  uint32_t NSize;
  uint32_t KSize;
  VkComponentTypeKHR AType;
  VkComponentTypeKHR BType;
  VkComponentTypeKHR CType;
  VkComponentTypeKHR ResultType;
  VkBool32 saturatingAccumulation;
  VkScopeKHR scope;
};

typedef VkResult(
    VKAPI_PTR *PFN_vkGetPhysicalDeviceCooperativeMatrixPropertiesKHR)(
    VkPhysicalDevice physicalDevice, uint32_t *pPropertyCount,
    VkCooperativeMatrixPropertiesKHR *pProperties);
#endif // VK_KHR_cooperative_matrix

#endif // AVILA_RUNTIME_HAL_VULKAN_COOPERATIVEMATRIX_H
