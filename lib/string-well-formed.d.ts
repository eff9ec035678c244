// `String.prototype.toWellFormed` and `isWellFormed` (ES2024, Node ≥ 20): the compiler targets
// ES2022, whose lib does not declare them; the runtime (package.json engines, Node 20) has them.
interface String {
  toWellFormed(): string;
  isWellFormed(): boolean;
}
