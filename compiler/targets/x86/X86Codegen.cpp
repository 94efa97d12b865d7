//===- X86Codegen.cpp - avila kernels to an x86-64 shared object ----------===//

#include "compiler/targets/x86/X86Codegen.h"
#include "runtime/hal/cpu/SharedObject.h"

#include "lld/Common/Driver.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/Bitcode/BitcodeWriter.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Pass.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/ThreadPool.h"
#include "llvm/Support/Threading.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/X86TargetParser.h"
#include "llvm/Transforms/Utils/SplitModule.h"

#include <mutex>

LLD_HAS_DRIVER(elf)

using namespace mlir;

namespace avila::x86 {

namespace {

llvm::Error fail(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

void initializeLLVMOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
}

// Calls import `slot` of the runtime's table with its context and `params`.
void callImport(llvm::IRBuilder<> &builder, llvm::GlobalVariable *table,
                size_t slot, llvm::Value *params) {
  llvm::Type *ptr = builder.getPtrTy();
  llvm::Value *imports = builder.CreateLoad(ptr, table);
  llvm::Value *function = builder.CreateLoad(
      ptr, builder.CreateConstGEP1_64(ptr, imports, 1 + slot));
  builder.CreateCall(
      llvm::FunctionType::get(builder.getVoidTy(), {ptr, ptr}, false), function,
      {builder.CreateLoad(ptr, imports), params});
}

// avila_parallel.<task>(items, captured...) packs the captured values into
// an environment on the stack and calls the parallel_for import with a
// trampoline that unpacks them for task(begin, end, captured...).
void defineParallelLauncher(llvm::Function &launcher, llvm::Function &task,
                            llvm::GlobalVariable *table) {
  llvm::LLVMContext &context = launcher.getContext();
  llvm::Module &module = *launcher.getParent();
  llvm::Type *i64 = llvm::Type::getInt64Ty(context);
  llvm::Type *ptr = llvm::PointerType::getUnqual(context);
  SmallVector<llvm::Type *> fields(
      launcher.getFunctionType()->params().drop_front());
  auto *environmentType = llvm::StructType::get(context, fields);

  auto *trampoline = llvm::Function::Create(
      llvm::FunctionType::get(llvm::Type::getVoidTy(context), {ptr, i64, i64},
                              false),
      llvm::GlobalValue::InternalLinkage, task.getName() + ".trampoline",
      module);
  llvm::IRBuilder<> builder(
      llvm::BasicBlock::Create(context, "entry", trampoline));
  SmallVector<llvm::Value *> arguments = {trampoline->getArg(1),
                                          trampoline->getArg(2)};
  for (auto [index, type] : llvm::enumerate(fields))
    arguments.push_back(builder.CreateLoad(
        type, builder.CreateStructGEP(environmentType, trampoline->getArg(0),
                                      index)));
  builder.CreateCall(&task, arguments);
  builder.CreateRetVoid();

  launcher.setLinkage(llvm::GlobalValue::InternalLinkage);
  builder.SetInsertPoint(llvm::BasicBlock::Create(context, "entry", &launcher));
  llvm::Value *environment = builder.CreateAlloca(environmentType);
  for (auto [index, argument] : llvm::enumerate(launcher.args()))
    if (index > 0)
      builder.CreateStore(
          &argument,
          builder.CreateStructGEP(environmentType, environment, index - 1));
  llvm::Value *params =
      builder.CreateAlloca(i64, builder.getInt64(cpu::parallel_for::Count));
  auto setParam = [&](int index, llvm::Value *value) {
    builder.CreateStore(value, builder.CreateConstGEP1_64(i64, params, index));
  };
  setParam(cpu::parallel_for::Task, builder.CreatePtrToInt(trampoline, i64));
  setParam(cpu::parallel_for::Environment,
           builder.CreatePtrToInt(environment, i64));
  setParam(cpu::parallel_for::Items, launcher.getArg(0));
  callImport(builder, table, static_cast<size_t>(cpu::Ukernel::ParallelFor),
             params);
  builder.CreateRetVoid();
}

// avila_bind_imports(const ImportTable *) keeps the runtime's table; each
// ukernel the kernels call becomes a thunk that calls the table's entry,
// and each parallel loop launcher is defined.
llvm::Error addImports(llvm::Module &module) {
  llvm::LLVMContext &context = module.getContext();
  llvm::Type *ptr = llvm::PointerType::getUnqual(context);
  llvm::Type *voidType = llvm::Type::getVoidTy(context);
  auto *table = new llvm::GlobalVariable(
      module, ptr, false, llvm::GlobalValue::InternalLinkage,
      llvm::ConstantPointerNull::get(llvm::PointerType::getUnqual(context)),
      "avila_imports");
  auto *bind = llvm::Function::Create(
      llvm::FunctionType::get(voidType, {ptr}, false),
      llvm::GlobalValue::ExternalLinkage, cpu::kBindImportsSymbol, module);
  llvm::IRBuilder<> builder(llvm::BasicBlock::Create(context, "entry", bind));
  builder.CreateStore(bind->getArg(0), table);
  builder.CreateRetVoid();

  for (auto [slot, symbol] : llvm::enumerate(cpu::kUkernelSymbols)) {
    llvm::Function *thunk = module.getFunction(symbol);
    if (!thunk)
      continue;
    thunk->setLinkage(llvm::GlobalValue::InternalLinkage);
    builder.SetInsertPoint(llvm::BasicBlock::Create(context, "entry", thunk));
    callImport(builder, table, slot,
               builder.CreateIntToPtr(thunk->getArg(0), ptr));
    builder.CreateRetVoid();
  }

  for (llvm::Function &launcher : llvm::make_early_inc_range(module)) {
    if (!launcher.isDeclaration() ||
        !launcher.getName().starts_with(cpu::kParallelPrefix))
      continue;
    llvm::Function *task = module.getFunction(
        launcher.getName().drop_front(strlen(cpu::kParallelPrefix)));
    if (!task)
      return fail("no task for " + launcher.getName());
    defineParallelLauncher(launcher, *task, table);
  }
  return llvm::Error::success();
}

// void avila_kernel_<f>(const int64_t *args): loads each parameter of `f`
// from args[i] (pointers as integers) and calls it.
void addAbiWrappers(llvm::Module &module,
                    const std::vector<std::string> &kernels) {
  llvm::LLVMContext &context = module.getContext();
  llvm::Type *i64 = llvm::Type::getInt64Ty(context);
  llvm::Type *ptr = llvm::PointerType::getUnqual(context);
  for (const std::string &name : kernels) {
    llvm::Function *kernel = module.getFunction(name);
    kernel->setLinkage(llvm::GlobalValue::InternalLinkage);
    auto *wrapper = llvm::Function::Create(
        llvm::FunctionType::get(llvm::Type::getVoidTy(context), {ptr}, false),
        llvm::GlobalValue::ExternalLinkage, cpu::kKernelSymbolPrefix + name,
        module);
    llvm::IRBuilder<> builder(
        llvm::BasicBlock::Create(context, "entry", wrapper));
    llvm::SmallVector<llvm::Value *> arguments;
    for (auto [index, parameter] : llvm::enumerate(kernel->args())) {
      llvm::Value *slot =
          builder.CreateConstGEP1_64(i64, wrapper->getArg(0), index);
      llvm::Value *value = builder.CreateLoad(i64, slot);
      arguments.push_back(
          parameter.getType()->isPointerTy()
              ? builder.CreateIntToPtr(value, ptr)
              : builder.CreateTrunc(value, parameter.getType()));
    }
    builder.CreateCall(kernel, arguments);
    builder.CreateRetVoid();
  }
}

// Tells `onFunction` each time the code generator has emitted a function
// (it runs after the emitting passes, function by function).
class CountEmittedFunctions : public llvm::FunctionPass {
public:
  static char ID;
  explicit CountEmittedFunctions(std::function<void()> onFunction)
      : llvm::FunctionPass(ID), onFunction(std::move(onFunction)) {}
  bool runOnFunction(llvm::Function &) override {
    onFunction();
    return false;
  }

private:
  std::function<void()> onFunction;
};
char CountEmittedFunctions::ID = 0;

llvm::Expected<std::vector<uint8_t>> readFile(const llvm::Twine &path) {
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    return fail("cannot read " + path + ": " + buffer.getError().message());
  llvm::StringRef bytes = (*buffer)->getBuffer();
  return std::vector<uint8_t>(bytes.begin(), bytes.end());
}

// Links `objects` into a shared object with lld, through temporary files.
llvm::Expected<std::vector<uint8_t>>
linkShared(llvm::ArrayRef<llvm::SmallVector<char, 0>> objects) {
  llvm::SmallString<128> directory;
  if (auto error =
          llvm::sys::fs::createUniqueDirectory("avila-link", directory))
    return fail("cannot create a temporary folder: " + error.message());
  llvm::SmallString<128> libraryPath(directory);
  llvm::sys::path::append(libraryPath, "kernels.so");
  std::vector<std::string> objectPaths;
  llvm::scope_exit cleanup([&] {
    for (const std::string &path : objectPaths)
      llvm::sys::fs::remove(path);
    llvm::sys::fs::remove(libraryPath);
    llvm::sys::fs::remove(directory);
  });
  for (auto [index, object] : llvm::enumerate(objects)) {
    llvm::SmallString<128> objectPath(directory);
    llvm::sys::path::append(objectPath,
                            "kernels" + std::to_string(index) + ".o");
    objectPaths.push_back(objectPath.str().str());
    std::error_code error;
    llvm::raw_fd_ostream out(objectPath, error);
    if (error)
      return fail("cannot write " + objectPath + ": " + error.message());
    out << llvm::StringRef(object.data(), object.size());
  }
  std::string messages;
  llvm::raw_string_ostream stream(messages);
  std::vector<const char *> args = {
      "ld.lld", "-shared", "--no-undefined-version", "-o", libraryPath.c_str()};
  for (const std::string &path : objectPaths)
    args.push_back(path.c_str());
  lld::Result result =
      lld::lldMain(args, stream, stream, {{lld::Gnu, &lld::elf::link}});
  if (result.retCode != 0)
    return fail("lld failed: " + messages);
  return readFile(libraryPath);
}

} // namespace

std::vector<std::string> cpuFeatures(const Options &options) {
  llvm::SmallVector<llvm::StringRef> features;
  llvm::X86::getFeaturesForCPU(options.cpu, features, /*NeedPlus=*/false);
  return {features.begin(), features.end()};
}

llvm::Expected<TargetCode>
compileToSharedObject(ModuleOp module, const Options &options,
                      const ProgressCallback &progress) {
  initializeLLVMOnce();
  // Outlined tasks and ukernel declarations are private: the public
  // functions with bodies are the kernels.
  std::vector<std::string> kernels;
  for (auto function : module.getOps<LLVM::LLVMFuncOp>())
    if (function.isPublic() && !function.isExternal())
      kernels.push_back(function.getSymName().str());

  auto report = [&](const char *step) {
    if (progress)
      progress({step});
  };
  report("translate");
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext, "avila_kernels");
  if (!llvmModule) {
    std::string text;
    llvm::raw_string_ostream os(text);
    module.print(os);
    return fail("translation to LLVM IR failed:\n" + text.substr(0, 3000));
  }
  addAbiWrappers(*llvmModule, kernels);
  if (auto error = addImports(*llvmModule))
    return std::move(error);

  const llvm::Triple triple(llvm::sys::getProcessTriple());
  std::string lookupError;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, lookupError);
  if (!target)
    return fail("no LLVM target for " + triple.str() + ": " + lookupError);
  auto createMachine = [&] {
    return std::unique_ptr<llvm::TargetMachine>(target->createTargetMachine(
        triple, options.cpu, "", llvm::TargetOptions(), llvm::Reloc::PIC_,
        std::nullopt, llvm::CodeGenOptLevel::Aggressive));
  };
  std::unique_ptr<llvm::TargetMachine> machine = createMachine();
  if (!machine)
    return fail("cannot create a target machine for " + options.cpu);
  llvmModule->setDataLayout(machine->createDataLayout());
  llvmModule->setTargetTriple(triple);

  // The kernels are independent: the module is split into one part per
  // thread (symbols local to a part's functions made hidden globals where
  // another part refers to them), each optimized and compiled on its own
  // thread in its own context, and the objects linked together.
  report("split");
  llvm::ThreadPoolStrategy strategy = llvm::hardware_concurrency();
  const unsigned partCount = std::max(
      1u, std::min<unsigned>(strategy.compute_thread_count(), kernels.size()));
  std::vector<llvm::SmallVector<char, 0>> parts;
  llvm::SplitModule(*llvmModule, partCount,
                    [&](std::unique_ptr<llvm::Module> part) {
                      llvm::raw_svector_ostream stream(parts.emplace_back());
                      llvm::WriteBitcodeToFile(*part, stream);
                    });
  size_t functions = 0;
  for (const llvm::Function &function : *llvmModule)
    functions += !function.isDeclaration();
  llvmModule.reset();

  report("optimize and compile");
  std::mutex progressMutex;
  size_t emitted = 0;
  auto reportEmitted = [&] {
    std::lock_guard<std::mutex> lock(progressMutex);
    ++emitted;
    if (progress)
      progress({"codegen", emitted, functions});
  };
  std::vector<llvm::SmallVector<char, 0>> objects(parts.size());
  std::vector<std::string> errors(parts.size());
  {
    llvm::DefaultThreadPool pool(strategy);
    for (size_t index = 0; index < parts.size(); ++index)
      pool.async([&, index] {
        llvm::LLVMContext partContext;
        auto part = llvm::parseBitcodeFile(
            llvm::MemoryBufferRef(
                llvm::StringRef(parts[index].data(), parts[index].size()),
                "part"),
            partContext);
        std::unique_ptr<llvm::TargetMachine> partMachine = createMachine();
        if (!part || !partMachine) {
          errors[index] = part ? "cannot create a target machine"
                               : llvm::toString(part.takeError());
          return;
        }
        auto optimize =
            makeOptimizingTransformer(options.optLevel, 0, partMachine.get());
        if (llvm::Error error = optimize(part->get())) {
          errors[index] = llvm::toString(std::move(error));
          return;
        }
        llvm::raw_svector_ostream stream(objects[index]);
        llvm::legacy::PassManager codegen;
        if (partMachine->addPassesToEmitFile(
                codegen, stream, nullptr, llvm::CodeGenFileType::ObjectFile)) {
          errors[index] = "the target cannot emit object files";
          return;
        }
        codegen.add(new CountEmittedFunctions(reportEmitted));
        codegen.run(**part);
      });
  }
  for (const std::string &error : errors)
    if (!error.empty())
      return fail(error);
  report("link");
  auto library = linkShared(objects);
  if (!library)
    return library.takeError();
  TargetCode code{std::move(*library), {}, {}};
  for (const std::string &name : kernels)
    code.kernels.push_back({name, cpu::kKernelSymbolPrefix + name});
  return code;
}

} // namespace avila::x86
