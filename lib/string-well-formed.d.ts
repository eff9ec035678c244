// `String.prototype.toWellFormed` (ES2024, Node ≥ 20): the compiler targets ES2022, whose lib
// does not declare it; the runtime (package.json engines, Node 20) has it.
interface String {
  toWellFormed(): string;
}
